package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The client store's schema, versioned with {@code PRAGMA user_version} and migrated forward on open.
 * <pre>
 * tide_meta(key TEXT PRIMARY KEY, value TEXT)       keys: node_id, cursor, caught_up, clock and clean:
 *           the Lamport clock is recorded at a clean close (clean = 1); after a crash (clean = 0) it is
 *           recovered on open as the highest counter in tide_docs and tide_outbox
 * tide_docs(collection, id, counter, node, deleted, body)
 *           PRIMARY KEY (collection, id), WITHOUT ROWID; body is the JSON text, NULL for a tombstone;
 *           (counter, node) is the stamp
 * tide_outbox(counter INTEGER PRIMARY KEY, collection, id)
 *           one row per local write, keyed by its Lamport counter: local counters strictly increase and
 *           are never reused, so the key is the write order and an acknowledged range is deleted safely
 * tide_rejected(counter INTEGER PRIMARY KEY, collection, id)
 *           local writes the server rejected (version 4): they stay local, and a reset's sweep keeps them
 * </pre>
 * A document is pending (its state is a local write the server has not acknowledged) while the outbox
 * holds the entry of its stamp: {@link #pending}. So acknowledging is a range delete on the outbox, and
 * no document row is rewritten. Version 2 stored this as a column {@code tide_docs.pending}, which
 * version 3 drops (version 1 never had it). A file whose version is newer
 * than {@link #VERSION}, or that holds another application's tables, is refused with a
 * {@link dev.tide.core.StoreException} and left untouched.
 */
final class StoreSchema {

  static final int VERSION = 4;
  /** {@code PRAGMA application_id}: "tide" in ASCII, marks the file as a tide store. */
  static final int APPLICATION_ID = 0x74696465;
  private static final String KIND = "tide store";
  /** The tail of an INSERT into tide_docs that replaces the document's row if it exists. */
  static final String UPSERT_DOC = "ON CONFLICT(collection, id) DO UPDATE SET counter = excluded.counter,"
    + " node = excluded.node, deleted = excluded.deleted, body = excluded.body";

  private StoreSchema() {
  }

  /** Refuses a file that is not an empty or tide store file of a version we read, leaving it untouched. */
  static void check(String path) {
    SchemaMigration.check(path, KIND, APPLICATION_ID, VERSION);
  }

  static void migrate(Connection conn, String path) throws SQLException {
    SchemaMigration.migrate(conn, path, KIND, APPLICATION_ID, VERSION, (st, version) -> {
      if (version == 0) {
        create(st);
      } else {
        if (version == 2) {
          st.executeUpdate("ALTER TABLE tide_docs DROP COLUMN pending"); // derived from the outbox since version 3
        }
        st.executeUpdate(CREATE_REJECTED);
      }
      st.executeUpdate("PRAGMA user_version = " + VERSION);
    });
  }

  /**
   * SQL for "the document row {@code d} is pending": it holds this store's write and the outbox still
   * has that write's entry (counters of local writes are unique, so the entry is the write's own).
   *
   * @param nodeId this store's node id (URL-safe, so written as a literal)
   */
  static String pending(String nodeId) {
    return "(d.node = '" + nodeId + "' AND EXISTS (SELECT 1 FROM tide_outbox o WHERE o.counter = d.counter"
      + " AND o.collection = d.collection AND o.id = d.id))";
  }

  private static void create(Statement st) throws SQLException {
    st.executeUpdate("CREATE TABLE tide_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    st.executeUpdate("CREATE TABLE tide_docs(collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
      + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, PRIMARY KEY(collection, id)) WITHOUT ROWID");
    st.executeUpdate("CREATE TABLE tide_outbox(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)");
    st.executeUpdate(CREATE_REJECTED);
  }

  private static final String CREATE_REJECTED =
    "CREATE TABLE tide_rejected(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)";

  /**
   * SQL for "the document row {@code d} holds a write of this store that the server rejected" (see
   * {@link #pending} for the form).
   */
  static String rejected(String nodeId) {
    return "(d.node = '" + nodeId + "' AND EXISTS (SELECT 1 FROM tide_rejected r WHERE r.counter = d.counter))";
  }

}

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
 * tide_docs(collection, id, counter, node, deleted, body, pending)
 *           PRIMARY KEY (collection, id), WITHOUT ROWID; body is the JSON text, NULL for a tombstone;
 *           (counter, node) is the stamp; pending = 1 while this state is an unacknowledged local write
 * tide_outbox(counter INTEGER PRIMARY KEY, collection, id)
 *           one row per local write, keyed by its Lamport counter: local counters strictly increase and
 *           are never reused, so the key is the write order and an acknowledged range is deleted safely
 * </pre>
 * Version 1 lacked {@code tide_docs.pending}; version 2 adds it (so "is this document's latest local
 * write confirmed?" is a point lookup) and derives it from the outbox. A file whose version is newer
 * than {@link #VERSION}, or that holds another application's tables, is refused with a
 * {@link dev.tide.core.StoreException} and left untouched.
 */
final class StoreSchema {

  static final int VERSION = 2;
  /** {@code PRAGMA application_id}: "tide" in ASCII, marks the file as a tide store. */
  static final int APPLICATION_ID = 0x74696465;

  private StoreSchema() {
  }

  static void migrate(Connection conn, String path) throws SQLException {
    SchemaMigration.migrate(conn, path, "tide store", APPLICATION_ID, VERSION, (st, version) -> {
      if (version == 0) {
        create(st);
      } else if (version == 1) {
        migrateV1toV2(st);
      }
    });
  }

  private static void create(Statement st) throws SQLException {
    st.executeUpdate("CREATE TABLE tide_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    st.executeUpdate("CREATE TABLE tide_docs(collection TEXT NOT NULL, id TEXT NOT NULL, counter INTEGER NOT NULL,"
      + " node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, pending INTEGER NOT NULL DEFAULT 0,"
      + " PRIMARY KEY(collection, id)) WITHOUT ROWID");
    st.executeUpdate("CREATE TABLE tide_outbox(counter INTEGER PRIMARY KEY, collection TEXT NOT NULL, id TEXT NOT NULL)");
    st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
    st.executeUpdate("PRAGMA user_version = " + VERSION);
  }

  private static void migrateV1toV2(Statement st) throws SQLException {
    st.executeUpdate("ALTER TABLE tide_docs ADD COLUMN pending INTEGER NOT NULL DEFAULT 0");
    st.executeUpdate("UPDATE tide_docs SET pending = 1 WHERE node = (SELECT value FROM tide_meta WHERE key = 'node_id')"
      + " AND EXISTS (SELECT 1 FROM tide_outbox o WHERE o.counter = tide_docs.counter"
      + " AND o.collection = tide_docs.collection AND o.id = tide_docs.id)");
    st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
    st.executeUpdate("PRAGMA user_version = 2");
  }

}

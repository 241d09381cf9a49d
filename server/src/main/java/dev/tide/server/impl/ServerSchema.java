package dev.tide.server.impl;

import dev.tide.core.impl.SchemaMigration;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * The server store's schema, versioned with {@code PRAGMA user_version} and migrated forward on open.
 * <pre>
 * tide_server_meta(key TEXT PRIMARY KEY, value TEXT)   epoch: random id of this database;
 *     purged_seq: highest sequence of a purged tombstone; max_counter: floor of the highest counter
 * tide_server_docs(ns, collection, id, counter, node, deleted, body, seq, committed_at)
 *     PRIMARY KEY (ns, collection, id) WITHOUT ROWID; INDEX (ns, seq, node);
 *     partial INDEX (committed_at) WHERE deleted = 1, for purging old tombstones
 *     one row per document: its latest state, the change sequence and the time (ms) it was committed
 * </pre>
 * Version 1 had no {@code committed_at}; version 2 adds it (rows from version 1 count as committed at 0,
 * so their tombstones are the first purged). Version 3 adds {@code node} to the sequence index, so a
 * pull skips the client's own writes in the index, without reading their rows.
 */
final class ServerSchema {

  static final int VERSION = 3;
  static final int APPLICATION_ID = 0x74646573; // "tdes"
  private static final String KIND = "tide server store";

  private ServerSchema() {
  }

  /** Refuses a file that is not an empty or tide server store file of a version we read, leaving it untouched. */
  static void check(String path) {
    SchemaMigration.check(path, KIND, APPLICATION_ID, VERSION);
  }

  static void migrate(Connection conn, String path) throws SQLException {
    SchemaMigration.migrate(conn, path, KIND, APPLICATION_ID, VERSION, (st, version) -> {
      if (version == 0) {
        createV1(st);
      }
      if (version <= 1) {
        st.executeUpdate("ALTER TABLE tide_server_docs ADD COLUMN committed_at INTEGER NOT NULL DEFAULT 0");
        st.executeUpdate("CREATE INDEX tide_server_tombstones ON tide_server_docs(committed_at) WHERE deleted = 1");
      }
      // version 2 -> 3; the writer assigns each sequence once, so the index need not enforce it
      st.executeUpdate("DROP INDEX tide_server_docs_seq");
      st.executeUpdate("CREATE INDEX tide_server_docs_seq ON tide_server_docs(ns, seq, node)");
      st.executeUpdate("PRAGMA user_version = " + VERSION);
    });
  }

  private static void createV1(Statement st) throws SQLException {
    st.executeUpdate("CREATE TABLE tide_server_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
    st.executeUpdate("CREATE TABLE tide_server_docs(ns TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL,"
      + " counter INTEGER NOT NULL, node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, seq INTEGER NOT NULL,"
      + " PRIMARY KEY(ns, collection, id)) WITHOUT ROWID");
    st.executeUpdate("CREATE UNIQUE INDEX tide_server_docs_seq ON tide_server_docs(ns, seq)");
    byte[] bytes = new byte[9];
    new SecureRandom().nextBytes(bytes);
    st.executeUpdate("INSERT INTO tide_server_meta VALUES ('epoch', '" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "')");
    st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
    st.executeUpdate("PRAGMA user_version = 1");
  }

}

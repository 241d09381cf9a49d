package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The full pull after a {@code history_purged} reset: it records which documents the server still has
 * (in a temp table of the writer's connection), and at its end removes this store's confirmed
 * documents the server no longer has — deleted there, and their tombstones purged. Pending writes are
 * never removed. The record is in memory: a crash starts the pull over (the store marks it in its meta).
 */
final class ResetSweep {

  private final Connection conn;
  /** The confirmed documents the server did not send. */
  private final String gone;
  private PreparedStatement insertSeen;
  private boolean active;
  private boolean activeCommitted;

  ResetSweep(Connection conn, String nodeId) {
    this.conn = conn;
    // a write the server rejected stays local: it was never confirmed, so its absence there says nothing
    this.gone = " FROM tide_docs AS d WHERE NOT " + StoreSchema.pending(nodeId) + " AND NOT " + StoreSchema.rejected(nodeId)
      + " AND NOT EXISTS (SELECT 1 FROM temp.tide_seen s WHERE s.collection = d.collection AND s.id = d.id)";
  }

  boolean active() {
    return active;
  }

  /** Starts recording (again). The temp table is created every time: a rollback may have dropped it. */
  void start() throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.executeUpdate("CREATE TEMP TABLE IF NOT EXISTS tide_seen(collection TEXT NOT NULL, id TEXT NOT NULL,"
        + " PRIMARY KEY(collection, id)) WITHOUT ROWID");
      st.executeUpdate("DELETE FROM temp.tide_seen");
    }
    active = true;
  }

  /** The server sent this document (whether or not it won locally). */
  void seen(String collection, String id) throws SQLException {
    if (active) {
      if (insertSeen == null) {
        insertSeen = conn.prepareStatement("INSERT OR IGNORE INTO temp.tide_seen(collection, id) VALUES (?, ?)");
      }
      insertSeen.setString(1, collection);
      insertSeen.setString(2, id);
      insertSeen.executeUpdate();
    }
  }

  /** Removes the confirmed documents the server did not send, announcing live ones as remote deletes. */
  void finish(List<Change> events) throws SQLException {
    try (Statement st = conn.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT d.collection, d.id, d.counter, d.node, d.deleted" + gone)) {
        while (rs.next()) {
          if (rs.getInt(5) == 0) {
            events.add(new Change(rs.getString(1), rs.getString(2), new Stamp(rs.getLong(3), rs.getString(4)), null,
              ChangeSource.REMOTE));
          }
        }
      }
      st.executeUpdate("DELETE" + gone);
      st.executeUpdate("DELETE FROM temp.tide_seen");
      // rejected writes a later write or a remote change replaced: nothing to keep for them any more
      st.executeUpdate("DELETE FROM tide_rejected WHERE NOT EXISTS (SELECT 1 FROM tide_docs d WHERE d.counter = tide_rejected.counter"
        + " AND d.collection = tide_rejected.collection AND d.id = tide_rejected.id)");
    }
    active = false;
  }

  /** The connection's statements were closed (to be prepared again): the next insert prepares its own. */
  void statementsClosed() {
    SqliteFiles.closeQuietly(insertSeen);
    insertSeen = null;
  }

  /** Stops recording without removing anything (what it recorded is cleared when it starts again). */
  void cancel() {
    active = false;
  }

  void committed() {
    activeCommitted = active;
  }

  void rolledBack() {
    active = activeCommitted;
  }
}

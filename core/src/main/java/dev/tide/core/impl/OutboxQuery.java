package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the oldest outbox entries as ops to push, on the connection it was made for (the reader's, or
 * the writer's right after a commit, see {@link OutboxPrefetch}). An entry whose document no longer
 * holds its stamp was superseded (a newer local write, pushed at its own entry, or a remote change): it
 * is skipped, so several writes to one document are pushed as the newest only.
 */
final class OutboxQuery implements AutoCloseable {

  private final String nodeId;
  private final PreparedStatement statement;

  OutboxQuery(Connection conn, String nodeId) throws SQLException {
    this.nodeId = nodeId;
    // the third column says whether the document still holds the entry's write (else it was superseded)
    statement = conn.prepareStatement("SELECT o.counter, d.deleted, d.counter = o.counter AND d.node = '" + nodeId + "',"
      + " o.collection, o.id, d.body, octet_length(d.body) FROM tide_outbox o JOIN tide_docs d ON d.collection = o.collection AND d.id = o.id"
      + " ORDER BY o.counter LIMIT ?");
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(statement);
  }

  OutboxBatch read(int maxEntries, int maxBytes) throws SQLException {
    List<Change> ops = new ArrayList<>();
    long maxCounter = 0;
    long bytes = 0;
    int read = 0;
    boolean full = false;
    statement.setInt(1, maxEntries);
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (bytes >= maxBytes) {
          full = true;
          break;
        }
        read++;
        long counter = rs.getLong(1);
        maxCounter = counter;
        if (rs.getInt(3) == 0) {
          continue; // superseded: the newer state is pushed at its own entry, or came from the server
        }
        String body = rs.getInt(2) != 0 ? null : rs.getString(6);
        // the body's UTF-8 size as SQLite stores it (a char count would let non-ASCII pushes reach 3x the limit)
        bytes += 100 + (body == null ? 0 : rs.getLong(7));
        // the stored text goes to the wire as is: no parse, no re-encode
        ops.add(Change.ofJson(rs.getString(4), rs.getString(5), new Stamp(counter, nodeId), body, ChangeSource.LOCAL));
      }
    }
    return new OutboxBatch(ops, maxCounter, full || read == maxEntries);
  }
}

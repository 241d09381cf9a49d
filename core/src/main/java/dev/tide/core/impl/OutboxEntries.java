package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The outbox rows of the writer's connection, and their count: entries leave when the server answers
 * for them (acknowledged, or rejected and kept in {@code tide_rejected}), or when a remote change
 * replaces their document. The count is kept as rows come and go, so {@code pendingCount()} needs no
 * query. Writer thread only, inside its transaction; the statements are prepared again after a failure.
 */
final class OutboxEntries implements AutoCloseable {

  private final Connection conn;
  private final String nodeId;
  private PreparedStatement deleteOfDoc;
  private PreparedStatement deleteUpTo;
  private PreparedStatement deleteEntry;
  private PreparedStatement keepRejected;
  private PreparedStatement forgetRejected;
  private long rows;
  private volatile long committedRows;

  OutboxEntries(Connection conn, String nodeId, long rows) throws SQLException {
    this.conn = conn;
    this.nodeId = nodeId;
    this.rows = rows;
    this.committedRows = rows;
    prepare();
  }

  void prepare() throws SQLException {
    deleteOfDoc = conn.prepareStatement("DELETE FROM tide_outbox WHERE collection = ? AND id = ?");
    deleteUpTo = conn.prepareStatement("DELETE FROM tide_outbox WHERE counter <= ?");
    deleteEntry = conn.prepareStatement("DELETE FROM tide_outbox WHERE counter = ?");
    keepRejected = conn.prepareStatement("INSERT OR IGNORE INTO tide_rejected(counter, collection, id)"
      + " SELECT counter, collection, id FROM tide_outbox WHERE counter = ?");
    forgetRejected = conn.prepareStatement("DELETE FROM tide_rejected WHERE (collection, id) IN"
      + " (SELECT collection, id FROM tide_outbox WHERE counter = ?)");
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(deleteOfDoc, deleteUpTo, deleteEntry, keepRejected, forgetRejected);
  }

  /** A local write added its entry (a new counter: always a new row). */
  void added() {
    rows++;
  }

  /** A remote change replaced a pending document: its entries go (the server keeps the newer stamp). */
  void dropOfDoc(String collection, String id) throws SQLException {
    deleteOfDoc.setString(1, collection);
    deleteOfDoc.setString(2, id);
    rows -= deleteOfDoc.executeUpdate();
  }

  /** See {@link WriterStore#acknowledge}. */
  void acknowledge(long upToCounter) throws SQLException {
    deleteUpTo.setLong(1, upToCounter);
    rows -= deleteUpTo.executeUpdate();
  }

  /** An op the server rejected: kept as rejected, and its entry goes. */
  void dropRejected(long counter) throws SQLException {
    keepRejected(counter);
    deleteEntry.setLong(1, counter);
    rows -= deleteEntry.executeUpdate();
  }

  /** Keeps the write of this entry as rejected (before the entry is deleted); one row per document. */
  void keepRejected(long counter) throws SQLException {
    forgetRejected.setLong(1, counter);
    forgetRejected.executeUpdate();
    keepRejected.setLong(1, counter);
    keepRejected.executeUpdate();
  }

  /**
   * After {@code database_changed}: every document whose state is this store's write is pending again,
   * the rejected ones too (the new server decides on them again); pending ones keep their entry.
   */
  void requeueOwn() throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.executeUpdate("DELETE FROM tide_rejected");
    }
    try (PreparedStatement ps = conn.prepareStatement("INSERT OR IGNORE INTO tide_outbox(counter, collection, id)"
      + " SELECT counter, collection, id FROM tide_docs WHERE node = ?")) {
      ps.setString(1, nodeId);
      rows += ps.executeUpdate();
    }
  }

  /** Rows as of the last commit (any thread): writes not yet acknowledged by the server. */
  long committedCount() {
    return committedRows;
  }

  void committed() {
    committedRows = rows;
  }

  void rolledBack() {
    rows = committedRows;
  }
}

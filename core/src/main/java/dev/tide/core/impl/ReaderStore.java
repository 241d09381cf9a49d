package dev.tide.core.impl;

import dev.tide.core.Document;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of a client store: a read-only connection in autocommit mode, confined to the reader
 * thread. In WAL mode it reads concurrently with the writer and sees every committed transaction.
 */
public final class ReaderStore implements AutoCloseable {

  private final Connection conn;
  private final String nodeId;
  // prepared again after a failed read (see recover)
  private PreparedStatement selectDoc;
  private PreparedStatement listDocs;
  private OutboxQuery outbox;
  private Transactions snapshots;

  private ReaderStore(Connection conn, String nodeId) throws SQLException {
    this.conn = conn;
    this.nodeId = nodeId;
    prepare();
  }

  private void prepare() throws SQLException {
    snapshots = Transactions.forReads(conn);
    String states = StoreSchema.pending(nodeId) + ", " + StoreSchema.rejected(nodeId);
    selectDoc = conn.prepareStatement("SELECT d.counter, d.node, d.deleted, d.body, " + states
      + " FROM tide_docs d WHERE d.collection = ? AND d.id = ?");
    listDocs = conn.prepareStatement("SELECT d.id, d.counter, d.node, d.body, " + states + " FROM tide_docs d"
      + " WHERE d.collection = ? AND d.id > ? AND d.deleted = 0 ORDER BY d.id LIMIT ?");
    outbox = new OutboxQuery(conn, nodeId);
  }

  /**
   * After a failed read: sqlite-jdbc finalizes a statement whose step failed (xerial/sqlite-jdbc#74), so
   * the statements are prepared again (else that read would fail for good), and a snapshot left open ends.
   */
  void recover() {
    SqliteFiles.closeQuietly(selectDoc, listDocs, outbox, snapshots);
    SqliteFiles.rollbackQuietly(conn);
    try {
      prepare();
    } catch (SQLException e) {
      // the closed statements fail the next read, which recovers again
    }
  }

  /** @param nodeId the store's node id, to tell its pending writes */
  public static ReaderStore open(String path, String nodeId) {
    try {
      return new ReaderStore(SqliteFiles.openReader(path), nodeId);
    } catch (SQLException e) {
      throw new StoreException("cannot open store " + path + " for reading: " + e.getMessage(), e);
    }
  }

  public Document document(String collection, String id) throws SQLException {
    selectDoc.setString(1, collection);
    selectDoc.setString(2, id);
    try (ResultSet rs = selectDoc.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      String body = rs.getInt(3) != 0 ? null : rs.getString(4);
      return new Document(collection, id, body == null ? null : new JsonObject(body),
        new Stamp(rs.getLong(1), rs.getString(2)), rs.getInt(5) != 0, rs.getInt(6) != 0);
    }
  }

  /** A document's stored JSON text: absent (null), deleted ({@code json} null) or live. */
  public record Body(String json) {
  }

  public Body body(String collection, String id) throws SQLException {
    selectDoc.setString(1, collection);
    selectDoc.setString(2, id);
    try (ResultSet rs = selectDoc.executeQuery()) {
      return !rs.next() ? null : new Body(rs.getInt(3) != 0 ? null : rs.getString(4));
    }
  }

  public List<Document> list(String collection, String afterId, int limit) throws SQLException {
    listDocs.setString(1, collection);
    listDocs.setString(2, afterId == null ? "" : afterId);
    listDocs.setInt(3, limit);
    List<Document> docs = new ArrayList<>();
    try (ResultSet rs = listDocs.executeQuery()) {
      while (rs.next()) {
        docs.add(new Document(collection, rs.getString(1), new JsonObject(rs.getString(4)),
          new Stamp(rs.getLong(2), rs.getString(3)), rs.getInt(5) != 0, rs.getInt(6) != 0));
      }
    }
    return docs;
  }

  /**
   * Every live document of the collection, read page by page inside one read transaction, so that a
   * write committed meanwhile is either in the whole list or not at all.
   */
  public List<Document> listAll(String collection, int pageSize) throws SQLException {
    return listAll(collection, pageSize, () -> { });
  }

  /** As {@link #listAll(String, int)}; {@code afterPage} runs after each page (a test writes there). */
  List<Document> listAll(String collection, int pageSize, Runnable afterPage) throws SQLException {
    snapshots.begin();
    try {
      List<Document> all = new ArrayList<>();
      String after = null;
      while (true) {
        List<Document> page = list(collection, after, pageSize);
        all.addAll(page);
        if (page.size() < pageSize) {
          return all;
        }
        after = page.get(page.size() - 1).id();
        afterPage.run();
      }
    } finally {
      snapshots.rollback(); // read-only: ends the snapshot, so the WAL can be checkpointed past it
    }
  }

  /** The oldest outbox entries as ops to push ({@link OutboxQuery}). */
  OutboxBatch outbox(int maxEntries, int maxBytes) throws SQLException {
    return outbox.read(maxEntries, maxBytes);
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // read-only: nothing to lose
    }
  }
}

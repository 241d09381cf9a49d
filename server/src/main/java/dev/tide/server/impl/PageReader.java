package dev.tide.server.impl;

import dev.tide.core.Stamp;
import dev.tide.core.impl.SqliteFiles;
import dev.tide.core.impl.Transactions;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.StoredChange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * One read-only connection that reads pull pages. A page, the namespace's highest sequence and the purged
 * sequence are read in one read transaction (one snapshot): when the page is not full, the pull has seen every change up
 * to that sequence, the client's own writes included, so the cursor moves there.
 */
final class PageReader implements AutoCloseable {

  /**
   * The inner query reads only the index (ns, seq, node), whose entries also hold the key (collection,
   * id): the client's own writes are skipped there, and only the rows sent are looked up (SQLite cannot
   * defer that lookup itself on a WITHOUT ROWID table).
   */
  private static final String PAGE = "SELECT k.seq, k.collection, k.id, d.counter, d.node, d.deleted, d.body"
    + " FROM (SELECT seq, collection, id FROM tide_server_docs WHERE ns = ?1 AND seq > ?2 AND node <> ?3 ORDER BY seq LIMIT ?4) k"
    + " JOIN tide_server_docs d ON d.ns = ?1 AND d.collection = k.collection AND d.id = k.id ORDER BY k.seq";

  private final Connection conn;
  // prepared again after a failed read (see recover)
  private Transactions tx;
  private PreparedStatement page;
  private PreparedStatement top;
  private PreparedStatement purged;

  PageReader(String path) throws SQLException {
    conn = SqliteFiles.openReader(path);
    try {
      prepare();
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  private void prepare() throws SQLException {
    tx = Transactions.forReads(conn);
    page = conn.prepareStatement(PAGE);
    top = conn.prepareStatement("SELECT max(seq) FROM tide_server_docs WHERE ns = ?");
    purged = conn.prepareStatement("SELECT value FROM tide_server_meta WHERE key = 'purged_seq'");
  }

  /**
   * After a failed read: sqlite-jdbc finalizes a statement whose step failed (xerial/sqlite-jdbc#74), so
   * the statements are prepared again (else every pull on this reader would fail), and a snapshot left open ends.
   */
  void recover() {
    SqliteFiles.closeQuietly(tx, page, top, purged);
    SqliteFiles.rollbackQuietly(conn);
    try {
      prepare();
    } catch (SQLException e) {
      // the closed statements fail the next pull on this reader, which recovers again
    }
  }

  /** See {@link dev.tide.server.spi.ServerStore#pull}. */
  PullPage read(String ns, long afterSeq, String excludeNode, int limit, int maxBytes) throws SQLException {
    tx.begin();
    try {
      long purgedSeq; // the first read takes the snapshot the page is then read from
      try (ResultSet rs = purged.executeQuery()) {
        purgedSeq = rs.next() ? Long.parseLong(rs.getString(1)) : 0;
      }
      List<StoredChange> changes = new ArrayList<>();
      long last = afterSeq;
      long bytes = 0;
      page.setString(1, ns);
      page.setLong(2, afterSeq);
      page.setString(3, excludeNode == null ? "" : excludeNode); // node ids are never empty
      page.setInt(4, limit + 1); // one extra row tells whether more are due
      try (ResultSet rs = page.executeQuery()) {
        while (rs.next()) {
          if (changes.size() == limit || bytes >= maxBytes) {
            return new PullPage(changes, last, true, purgedSeq);
          }
          last = rs.getLong(1);
          String body = rs.getInt(6) != 0 ? null : rs.getString(7);
          bytes += estimatedBytes(body);
          changes.add(new StoredChange(last, rs.getString(2), rs.getString(3), new Stamp(rs.getLong(4), rs.getString(5)), body));
        }
      }
      top.setString(1, ns);
      try (ResultSet rs = top.executeQuery()) {
        return new PullPage(changes, rs.next() ? Math.max(last, rs.getLong(1)) : last, false, purgedSeq);
      }
    } finally {
      end();
    }
  }

  /**
   * What a change counts for against a page's byte limit: its document in UTF-8 bytes, as it goes on the
   * wire (counted in chars, documents of CJK text made pages three times the limit).
   */
  static long estimatedBytes(String body) {
    if (body == null) {
      return 100;
    }
    long bytes = 100 + body.length();
    for (int i = 0, n = body.length(); i < n; i++) {
      char c = body.charAt(i);
      if (c >= 0x80) { // 2 bytes below U+0800, else 3; a surrogate pair is 4 (2 each)
        bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  /** Ends the read transaction (its snapshot holds back checkpoints); never leaves it open. */
  private void end() throws SQLException {
    try {
      tx.commit();
    } finally {
      tx.rollback(); // only if the commit failed: a no-op once committed
    }
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

package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;
import dev.tide.core.impl.GroupCommitWriter;
import dev.tide.core.impl.SqliteFiles;

import java.nio.channels.FileLock;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * The server database's only writing connection, confined to the writer thread.
 * <pre>
 * tide_server_meta(key TEXT PRIMARY KEY, value TEXT)        key epoch: random id of this database
 * tide_server_docs(ns, collection, id, counter, node, deleted, body, seq)
 *     PRIMARY KEY (ns, collection, id) WITHOUT ROWID; UNIQUE INDEX (ns, seq)
 *     one row per document: its latest state and the change sequence at which it was committed
 * </pre>
 * The sequence is global and only grows: each applied op takes the next value, so "changes after
 * cursor" is an index range scan, and a document changed twice appears once, at its newest sequence.
 */
final class ServerWriter implements GroupCommitWriter.Store {

  static final int SCHEMA_VERSION = 1;
  static final int APPLICATION_ID = 0x74646573; // "tdes"

  private final String path;
  private final FileLock lock;
  private final Connection conn;
  private final String epoch;
  private final dev.tide.core.impl.Transactions tx;
  private final PreparedStatement selectStamp;
  private final PreparedStatement upsert;
  private long seq;
  private volatile long committedSeq;

  private ServerWriter(String path, FileLock lock, Connection conn) throws SQLException {
    this.path = path;
    this.lock = lock;
    this.conn = conn;
    migrate();
    this.tx = new dev.tide.core.impl.Transactions(conn);
    this.epoch = loadEpoch();
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT max(seq) FROM tide_server_docs")) {
      seq = rs.next() ? rs.getLong(1) : 0;
    }
    committedSeq = seq;
    selectStamp = conn.prepareStatement("SELECT counter, node FROM tide_server_docs WHERE ns = ? AND collection = ? AND id = ?");
    upsert = conn.prepareStatement("INSERT INTO tide_server_docs(ns, collection, id, counter, node, deleted, body, seq)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, collection, id) DO UPDATE SET counter = excluded.counter,"
      + " node = excluded.node, deleted = excluded.deleted, body = excluded.body, seq = excluded.seq");
  }

  static ServerWriter open(String path, Synchronous synchronous) {
    FileLock lock = SqliteFiles.lock(path);
    Connection conn = null;
    try {
      conn = SqliteFiles.openWriter(path, synchronous);
      return new ServerWriter(path, lock, conn);
    } catch (SQLException | RuntimeException e) {
      if (conn != null) {
        try {
          conn.close();
        } catch (SQLException ignored) {
          // already failing
        }
      }
      SqliteFiles.release(lock);
      throw e instanceof StoreException se ? se : new StoreException("cannot open server store " + path + ": " + e.getMessage(), e);
    }
  }

  private void migrate() throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      int appId;
      int version;
      try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
        appId = rs.getInt(1);
      }
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        version = rs.getInt(1);
      }
      if (appId != 0 && appId != APPLICATION_ID) {
        throw new StoreException(path + " is not a tide server store (application_id " + appId + ")");
      }
      if (version > SCHEMA_VERSION) {
        throw new StoreException(path + " has schema version " + version + ", newer than this server supports ("
          + SCHEMA_VERSION + "): upgrade tide to open it");
      }
      if (version == 0) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
          if (rs.getInt(1) > 0) {
            throw new StoreException(path + " is an SQLite file with other tables, not a tide server store");
          }
        }
        st.executeUpdate("CREATE TABLE tide_server_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
        st.executeUpdate("CREATE TABLE tide_server_docs(ns TEXT NOT NULL, collection TEXT NOT NULL, id TEXT NOT NULL,"
          + " counter INTEGER NOT NULL, node TEXT NOT NULL, deleted INTEGER NOT NULL, body TEXT, seq INTEGER NOT NULL,"
          + " PRIMARY KEY(ns, collection, id)) WITHOUT ROWID");
        st.executeUpdate("CREATE UNIQUE INDEX tide_server_docs_seq ON tide_server_docs(ns, seq)");
        byte[] bytes = new byte[9];
        new SecureRandom().nextBytes(bytes);
        st.executeUpdate("INSERT INTO tide_server_meta VALUES ('epoch', '"
          + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "')");
        st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
        st.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
      }
      st.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      try (Statement st = conn.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // nothing to undo
      }
      throw e;
    }
  }

  private String loadEpoch() throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT value FROM tide_server_meta WHERE key = 'epoch'")) {
      return rs.getString(1);
    }
  }

  String epoch() {
    return epoch;
  }

  long committedSeq() {
    return committedSeq;
  }

  /** Applies one op by last-writer-wins in the current transaction. */
  OpResult apply(String ns, Change op) throws SQLException {
    selectStamp.setString(1, ns);
    selectStamp.setString(2, op.collection());
    selectStamp.setString(3, op.id());
    try (ResultSet rs = selectStamp.executeQuery()) {
      if (rs.next()) {
        Stamp stored = new Stamp(rs.getLong(1), rs.getString(2));
        if (stored.equals(op.stamp())) {
          return OpResult.APPLIED; // a replay of a write already stored: nothing changes
        }
        if (!op.stamp().beats(stored)) {
          return OpResult.SUPERSEDED;
        }
      }
    }
    upsert.setString(1, ns);
    upsert.setString(2, op.collection());
    upsert.setString(3, op.id());
    upsert.setLong(4, op.stamp().counter());
    upsert.setString(5, op.stamp().node());
    upsert.setInt(6, op.deleted() ? 1 : 0);
    upsert.setString(7, op.deleted() ? null : op.doc().encode());
    upsert.setLong(8, ++seq);
    upsert.executeUpdate();
    return OpResult.APPLIED;
  }

  @Override
  public void begin() throws SQLException {
    tx.begin();
  }

  @Override
  public void commit() throws SQLException {
    tx.commit();
    committedSeq = seq;
  }

  @Override
  public void rollback() {
    tx.rollback();
    seq = committedSeq;
  }

  @Override
  public void close() {
    rollback();
    try {
      conn.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
    SqliteFiles.release(lock);
  }
}

package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.Synchronous;
import dev.tide.core.impl.GroupCommitWriter;
import dev.tide.core.impl.MetaTable;
import dev.tide.core.impl.SqliteFiles;
import dev.tide.core.impl.Transactions;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.StoredChange;

import java.nio.channels.FileLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The server database's only writing connection, confined to the writer thread (schema: {@link ServerSchema}).
 * The sequence is global and only grows: each applied op takes the next value, so "changes after
 * cursor" is an index range scan, and a document changed twice appears once, at its newest sequence.
 */
final class ServerWriter implements GroupCommitWriter.Store {

  private static final System.Logger LOG = System.getLogger(ServerWriter.class.getName());

  private final String path;
  private final FileLock lock;
  private final Connection conn;
  private final String epoch;
  // prepared again after a failed transaction (see recover)
  private Transactions tx;
  private PreparedStatement selectStamp;
  private PreparedStatement selectState;
  private PreparedStatement upsert;
  private PreparedStatement upsertIfNewer;
  private MetaTable meta;
  private final CommitLog log = new CommitLog();
  private CommittedChanges committed;
  private long seq;
  private volatile long committedSeq;
  private long maxCounter;
  private long committedMaxCounter;
  /**
   * The clock bound's base for every op of the current transaction: the highest counter committed
   * before it began. Not the running maximum, or each op of a request could climb 2^30 above the one
   * before it (10,000 ops: ~2^43 per request) and a few hundred requests would exhaust every clock.
   */
  private long clockBase;
  private long purgedSeq;
  private long committedPurgedSeq;
  /**
   * What {@link #purgedSeq()} tells pulls: raised before a purge commits, so a pull whose snapshot
   * already lacks the purged tombstones cannot read the older value (a purge that then fails only
   * costs a client an unneeded reset, never a missed delete).
   */
  private volatile long announcedPurgedSeq;
  private long purgedCounter;
  private long committedPurgedCounter;
  private long now;

  private ServerWriter(String path, FileLock lock, Connection conn) throws SQLException {
    this.path = path;
    this.lock = lock;
    this.conn = conn;
    ServerSchema.migrate(conn, path);
    prepare();
    this.epoch = meta.get("epoch");
    purgedSeq = meta.getLong("purged_seq");
    purgedCounter = meta.getLong("purged_counter");
    // the newest rows may have been purged tombstones: never hand out a sequence a cursor has already seen
    seq = Math.max(meta.queryLong("SELECT max(seq) FROM tide_server_docs"), purgedSeq);
    committedSeq = seq;
    maxCounter = Math.max(meta.getLong("max_counter"), meta.queryLong("SELECT max(counter) FROM tide_server_docs"));
    committedMaxCounter = maxCounter;
    committedPurgedSeq = purgedSeq;
    announcedPurgedSeq = purgedSeq;
    committedPurgedCounter = purgedCounter;
  }

  private void prepare() throws SQLException {
    meta = new MetaTable(conn, "tide_server_meta");
    tx = new Transactions(conn);
    selectStamp = conn.prepareStatement("SELECT counter, node FROM tide_server_docs WHERE ns = ? AND collection = ? AND id = ?");
    // the stored state only for an op whose stamp is the stored one (rare): a superseded op reads no body
    selectState = conn.prepareStatement("SELECT deleted, body FROM tide_server_docs WHERE ns = ? AND collection = ? AND id = ?");
    upsert = conn.prepareStatement("INSERT INTO tide_server_docs(ns, collection, id, counter, node, deleted, body, seq, committed_at)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, collection, id) DO UPDATE SET counter = excluded.counter,"
      + " node = excluded.node, deleted = excluded.deleted, body = excluded.body, seq = excluded.seq,"
      + " committed_at = excluded.committed_at");
    // last-writer-wins in one statement: the update happens only if the new stamp is higher (node ids
    // are ASCII, so SQLite's byte order is the protocol's code-unit order)
    upsertIfNewer = conn.prepareStatement("INSERT INTO tide_server_docs(ns, collection, id, counter, node, deleted, body, seq,"
      + " committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, collection, id) DO UPDATE SET counter = excluded.counter,"
      + " node = excluded.node, deleted = excluded.deleted, body = excluded.body, seq = excluded.seq,"
      + " committed_at = excluded.committed_at WHERE (excluded.counter, excluded.node) > (tide_server_docs.counter, tide_server_docs.node)");
  }

  static ServerWriter open(String path, Synchronous synchronous) {
    ServerSchema.check(path); // before the lock file and the writer's switch to WAL: a refused file is left as it was
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

  String epoch() {
    return epoch;
  }

  long committedSeq() {
    return committedSeq;
  }

  /** What the last commit wrote (writer thread, after {@link #commit}). */
  CommittedChanges lastCommitted() {
    return committed;
  }

  /** The highest sequence of a purged tombstone: a cursor below it may have missed a delete. */
  long purgedSeq() {
    return announcedPurgedSeq;
  }

  /**
   * Applies one op by last-writer-wins in the current transaction. An op whose counter is more than
   * {@link SyncProtocol#MAX_CLOCK_AHEAD} above the highest counter committed before this transaction
   * began is rejected: a corrupted or forged clock must not push stamps so high that no other writer
   * could ever beat them. Ops of the same transaction (the same request, or requests grouped in one
   * commit) never raise each other's bound, so one request raises the highest counter by at most 2^30.
   */
  OpResult apply(String ns, Change op) throws SQLException {
    long counter = op.stamp().counter();
    if (counter > clockBase + SyncProtocol.MAX_CLOCK_AHEAD) {
      return OpResult.rejected("clock_ahead", "stamp counter " + counter + " is more than 2^30 above the highest this server"
        + " had committed before this request (" + clockBase + "): the writer's clock is wrong");
    }
    if (purgedCounter == 0 || counter > purgedCounter) {
      // the common case: one statement; a second look only when it did not apply
      if (write(upsertIfNewer, ns, op) == 1) {
        return OpResult.APPLIED;
      }
      return op.stamp().equals(stored(ns, op)) ? sameStamp(ns, op) : OpResult.SUPERSEDED;
    }
    Stamp stored = stored(ns, op);
    if (stored != null) {
      if (stored.equals(op.stamp())) {
        return sameStamp(ns, op);
      }
      if (!op.stamp().beats(stored)) {
        return OpResult.SUPERSEDED;
      }
    } else {
      // The document may have been deleted by a stamp above this one whose tombstone was purged, and
      // clients may still hold that tombstone. The write resurrects the document (an offline edit is
      // never lost), once its writer has stamped it again above every counter here, so that it wins
      // wherever a copy of the old tombstone survives. The writer's own stamp (not a server's) is what
      // lets it recognise the write as its own if it loses it later (OwnPullFence).
      return OpResult.restamp(maxCounter);
    }
    write(upsert, ns, op);
    return OpResult.APPLIED;
  }

  /**
   * An op with the stamp already stored. The same state: a replay (its answer was lost), nothing changes.
   * Another state: its writer reused a stamp, its clock having gone back with commits it lost (a power
   * loss under synchronous=NORMAL, a restored backup). Called a replay, the new write would be dropped
   * while its writer drops it from its outbox: its writer stamps it again above every counter here instead.
   */
  private OpResult sameStamp(String ns, Change op) throws SQLException {
    selectState.setString(1, ns);
    selectState.setString(2, op.collection());
    selectState.setString(3, op.id());
    boolean same;
    try (ResultSet rs = selectState.executeQuery()) {
      same = rs.next() && (rs.getInt(1) == 1) == op.deleted() && sameDoc(rs.getString(2), op.docJson());
    }
    return same ? OpResult.APPLIED : OpResult.restamp(maxCounter);
  }

  /**
   * The same JSON value: a document's spelling (spaces, escapes, the order of names) carries no meaning
   * (PROTOCOL.md section 2), so a replay its client encoded again is still a replay. Parsed only when the texts differ.
   */
  static boolean sameDoc(String stored, String sent) {
    if (java.util.Objects.equals(stored, sent)) {
      return true;
    }
    if (stored == null || sent == null) {
      return false;
    }
    try {
      return new io.vertx.core.json.JsonObject(stored).equals(new io.vertx.core.json.JsonObject(sent));
    } catch (RuntimeException e) { // a stored text the default parser cannot read (older, longer keys): not taken for the same
      return false;
    }
  }

  private Stamp stored(String ns, Change op) throws SQLException {
    selectStamp.setString(1, ns);
    selectStamp.setString(2, op.collection());
    selectStamp.setString(3, op.id());
    try (ResultSet rs = selectStamp.executeQuery()) {
      return rs.next() ? new Stamp(rs.getLong(1), rs.getString(2)) : null;
    }
  }

  /** Writes the op's state under its stamp with the next sequence; returns the rows changed (0: not newer). */
  private int write(PreparedStatement ps, String ns, Change op) throws SQLException {
    Stamp stamp = op.stamp(); // always the writer's own: the server never stamps a write itself
    ps.setString(1, ns);
    ps.setString(2, op.collection());
    ps.setString(3, op.id());
    ps.setLong(4, stamp.counter());
    ps.setString(5, stamp.node());
    ps.setInt(6, op.deleted() ? 1 : 0);
    ps.setString(7, op.docJson()); // encoded once, while validating
    ps.setLong(8, seq + 1);
    ps.setLong(9, now);
    int changed = ps.executeUpdate();
    if (changed == 1) {
      seq++;
      maxCounter = Math.max(maxCounter, stamp.counter());
      log.written(ns, new StoredChange(seq, op.collection(), op.id(), stamp, op.docJson()));
    }
    return changed;
  }

  /**
   * Deletes tombstones committed before {@code committedBefore} (epoch ms), remembering the highest
   * sequence purged and the highest counter (so the clock bound never moves back). Returns the count.
   */
  long purgeTombstones(long committedBefore) throws SQLException {
    long highest;
    long highestCounter;
    try (PreparedStatement ps = conn.prepareStatement("SELECT max(seq), max(counter) FROM tide_server_docs"
      + " WHERE deleted = 1 AND committed_at < ?")) {
      ps.setLong(1, committedBefore);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        highest = rs.getLong(1);
        highestCounter = rs.getLong(2);
      }
    }
    if (highest == 0) {
      return 0;
    }
    announcedPurgedSeq = Math.max(announcedPurgedSeq, highest);
    log.incomplete();
    long purged;
    try (PreparedStatement ps = conn.prepareStatement("DELETE FROM tide_server_docs WHERE deleted = 1 AND committed_at < ?")) {
      ps.setLong(1, committedBefore);
      purged = ps.executeUpdate();
    }
    meta.put("purged_seq", Long.toString(Math.max(purgedSeq, highest)));
    meta.put("purged_counter", Long.toString(Math.max(purgedCounter, highestCounter)));
    meta.put("max_counter", Long.toString(maxCounter));
    purgedSeq = Math.max(purgedSeq, highest);
    purgedCounter = Math.max(purgedCounter, highestCounter);
    return purged;
  }

  /**
   * After a failed transaction (rolled back): sqlite-jdbc finalizes a statement whose step failed
   * (xerial/sqlite-jdbc#74), so every statement is closed and prepared again, and a transaction left
   * open is rolled back. If this fails too, the closed statements fail the next push, which recovers again.
   */
  @Override
  public void recover() {
    SqliteFiles.closeQuietly(tx, meta, selectStamp, selectState, upsert, upsertIfNewer);
    SqliteFiles.rollbackQuietly(conn);
    try {
      prepare();
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot prepare the server store's statements again: " + e.getMessage(), e);
    }
  }

  @Override
  public void begin() throws SQLException {
    now = System.currentTimeMillis();
    clockBase = committedMaxCounter;
    tx.begin();
    log.begin(seq);
  }

  @Override
  public void commit() throws SQLException {
    tx.commit();
    // at once: a reader may already serve a cursor at seq, and a request carrying it must not find it
    // ahead of lastSeq (a false "database changed" reset) while the commit log is being built
    committedSeq = seq;
    committed = log.committed(seq);
    committedMaxCounter = maxCounter;
    committedPurgedSeq = purgedSeq;
    committedPurgedCounter = purgedCounter;
    announcedPurgedSeq = purgedSeq;
  }

  @Override
  public void rollback() {
    tx.rollback();
    seq = committedSeq;
    maxCounter = committedMaxCounter;
    purgedSeq = committedPurgedSeq;
    purgedCounter = committedPurgedCounter;
    announcedPurgedSeq = purgedSeq;
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

  @Override
  public String toString() {
    return "ServerWriter[" + path + "]";
  }
}

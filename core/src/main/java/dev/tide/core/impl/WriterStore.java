package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;

import java.nio.channels.FileLock;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;

/**
 * The writing side of a client store: the only connection that writes, confined to the writer thread
 * of {@link GroupCommitWriter}. It owns the Lamport clock. Methods run inside the writer's current
 * transaction; {@link #commit()} makes them durable (see {@link Synchronous}).
 */
public final class WriterStore implements GroupCommitWriter.Store {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final System.Logger LOG = System.getLogger(WriterStore.class.getName());

  private final String path;
  private final FileLock lock;
  private final Connection conn;
  private final String nodeId;
  private long clock;
  private long committedClock;
  private String cursor;
  private String committedCursor;

  // prepared again after a failed transaction (see recover)
  private Transactions tx;
  private LocalRows localRows;
  private RemoteApply remote;
  private MetaTable meta;
  private OutboxQuery outbox;
  private final OutboxEntries entries;
  private boolean caughtUp;
  private boolean caughtUpCommitted;
  private final ResetSweep sweep;
  private final OwnPullFence fence;
  private boolean durableCommit; // the open transaction's commit must survive a power loss (see OwnPullFence)

  private WriterStore(String path, FileLock lock, Connection conn) throws SQLException {
    this.path = path;
    this.lock = lock;
    this.conn = conn;
    StoreSchema.migrate(conn, path);
    this.meta = new MetaTable(conn, "tide_meta");
    this.tx = new Transactions(conn);
    tx.begin();
    String node = meta.get("node_id");
    if (node == null) {
      node = newNodeId();
    }
    this.nodeId = node;
    // The clock is written at a clean close, and when a reset's sweep removes rows. After a crash it is
    // recovered from the data: every other counter this store wrote or saw is in a document row (a change
    // that lost locally had a lower counter than the document that beat it) or in the outbox.
    long clockFloor = Math.max(meta.getLong("clock"), meta.queryLong("SELECT max(counter) FROM tide_outbox"));
    this.clock = "1".equals(meta.get("clean")) ? clockFloor
      : Math.max(clockFloor, meta.queryLong("SELECT max(counter) FROM tide_docs")); // a scan: after a crash only
    this.committedClock = clock;
    this.cursor = meta.get("cursor");
    this.committedCursor = cursor;
    prepareRows();
    entries = new OutboxEntries(conn, nodeId, meta.queryLong("SELECT count(*) FROM tide_outbox"));
    caughtUp = "1".equals(meta.get("caught_up"));
    caughtUpCommitted = caughtUp;
    sweep = new ResetSweep(conn, nodeId);
    if ("1".equals(meta.get("resetting"))) {
      // a crash interrupted a full pull after a reset: start it over (what it saw was in memory)
      cursor = null;
      committedCursor = null;
      meta.delete("cursor");
      sweep.start();
      sweep.committed();
    }
    fence = new OwnPullFence(meta, clock);
    remote = new RemoteApply(conn, this, entries, sweep, fence);
    meta.put("node_id", nodeId);
    meta.put("clean", "0"); // until close() records the clock
    tx.commit();
    syncWal();
  }

  /** Opens (creating or migrating) the store; blocking, call it on the writer thread. */
  public static WriterStore open(String path, Synchronous synchronous) {
    StoreSchema.check(path); // before the lock file and the writer's switch to WAL: a refused file is left as it was
    FileLock lock = SqliteFiles.lock(path);
    Connection conn = null;
    try {
      conn = SqliteFiles.openWriter(path, synchronous);
      return new WriterStore(path, lock, conn);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(conn);
      SqliteFiles.release(lock);
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreException("cannot open store " + path + ": " + e.getMessage(), e);
    }
  }

  public String nodeId() {
    return nodeId;
  }

  public String cursor() {
    return cursor;
  }

  /** The next stamp for a local write: the clock, which already covers every counter seen, plus one. */
  public Stamp nextStamp() {
    if (clock >= Stamp.MAX_COUNTER) {
      throw new StoreException("Lamport clock exhausted at 2^53-1: the store cannot stamp more writes");
    }
    return new Stamp(++clock, nodeId);
  }

  /**
   * Writes a local put (body = JSON text) or delete (body = null) and its outbox entry, buffered: they
   * reach SQLite before any other statement of this store and before COMMIT.
   */
  public void writeLocal(String collection, String id, String body, Stamp stamp) throws SQLException {
    localRows.add(collection, id, body, stamp.counter());
    entries.added();
  }

  /**
   * Applies changes from the server, in order, under last-writer-wins: a change is written only if its
   * stamp beats the local one (or there is none). If it replaces a pending local write, that write's
   * outbox entries are dropped: the server keeps the newer stamp anyway. Raises the clock to each
   * change's counter. Documents are looked up and written in bulk ({@link RemoteRows}).
   *
   * @param won receives the changes that won and were written, as remote changes
   * @return how many won
   */
  public int applyRemote(List<Change> changes, List<Change> won) throws SQLException {
    localRows.flush();
    return remote.apply(changes, won);
  }

  /** See {@link RemoteApply#restampPushed}. */
  void restampPushed(long counter, long above) throws SQLException {
    localRows.flush();
    remote.restampPushed(counter, above);
  }

  /** Raises the clock to a counter seen (a pulled change's). */
  void seen(long counter) {
    clock = Math.max(clock, counter);
  }

  /** Writes what {@link #writeLocal} buffered: statements of another kind follow. */
  void flushLocal() throws SQLException {
    localRows.flush();
  }

  /** Sets the sync cursor (null: pull from the beginning), persisted with the current transaction. */
  public void setCursor(String cursor) {
    this.cursor = cursor;
  }

  /** True between a {@code history_purged} reset and the end of the full pull that follows it. */
  public boolean resetting() {
    return sweep.active();
  }

  /**
   * The server asked for a reset (409 reset_required): pull everything again from a null cursor.
   * {@code history_purged}: the server dropped old tombstones this store may have missed, so the full
   * pull records which documents the server still has, and {@link #finishReset} then removes this
   * store's confirmed documents it no longer has. {@code database_changed}: the server's database is
   * another one (replaced, or restored from a backup); nothing is removed, and this store's confirmed
   * writes are queued again so the server gets back what it lost. Pending writes are kept either way.
   */
  public void beginReset(boolean historyPurged) throws SQLException {
    localRows.flush();
    cursor = null;
    if (historyPurged) {
      meta.put("resetting", "1");
      sweep.start();
    } else {
      if (sweep.active()) {
        // a history_purged pull was cut off: its sweep must not run after this pull of another database,
        // which keeps everything (it would remove what the new server did not send, own writes too)
        sweep.cancel();
        meta.delete("resetting");
      }
      entries.requeueOwn();
    }
  }

  /**
   * The full pull after a {@code history_purged} reset is complete: documents the server did not send
   * and that hold no pending local write were deleted and purged on the server; remove them here too
   * (announced as remote deletes, with their last stamp).
   */
  public void finishReset(List<Change> events) throws SQLException {
    localRows.flush();
    if (sweep.active()) {
      sweep.finish(events);
      meta.delete("resetting");
      // the removed rows held counters the clock covers: after a crash it is recovered from the rows left
      meta.put("clock", Long.toString(clock));
    }
  }

  /** True until a pull with {@code include_own} completed after the last open (see {@link OwnPullFence}). */
  public boolean ownPullPending() {
    return fence.active();
  }

  /** The pull with {@code include_own} is complete: pushes may go out (see {@link OwnPullFence}). */
  public void finishOwnPull() throws SQLException {
    localRows.flush();
    fence.finish(meta);
    durableCommit = true;
  }

  /** True once a sync pulled everything there was (persisted: the initial sync is done). */
  public boolean caughtUp() {
    return caughtUp;
  }

  public void markCaughtUp() throws SQLException {
    localRows.flush();
    if (!caughtUp) {
      meta.put("caught_up", "1");
      caughtUp = true;
    }
  }

  /**
   * Removes the outbox entries up to a counter after the server answered for them, which confirms
   * their documents (see {@link StoreSchema#pending}). Entries are read in counter order and counters
   * only grow, so every entry up to it was read (or is a coalesced older write to the same document);
   * writes made during the exchange have higher counters and stay.
   */
  public void acknowledge(long upToCounter) throws SQLException {
    localRows.flush();
    entries.acknowledge(upToCounter);
  }

  /**
   * Drops one outbox entry: an op the server rejected, never sent again; its document is no longer
   * pending, and is kept as rejected (a reset's sweep does not take it for a confirmed write).
   */
  public void dropOutboxEntry(long counter) throws SQLException {
    localRows.flush();
    entries.dropRejected(counter);
  }

  /** Keeps the write of this outbox entry as rejected by the server (before the entry is deleted). */
  public void keepRejected(long counter) throws SQLException {
    localRows.flush();
    entries.keepRejected(counter);
  }

  /** Outbox entries as of the last commit (any thread): writes not yet acknowledged by the server. */
  long pendingCount() {
    return entries.committedCount();
  }

  /** The oldest outbox entries as ops to push, read on this connection between transactions. */
  OutboxBatch outbox(int maxEntries, int maxBytes) throws SQLException {
    try {
      return outbox.read(maxEntries, maxBytes);
    } catch (SQLException e) {
      // read outside any transaction (OutboxPrefetch), so no recover() follows: prepare this one again here
      SqliteFiles.closeQuietly(outbox);
      outbox = new OutboxQuery(conn, nodeId);
      throw e;
    }
  }

  private void prepareRows() throws SQLException {
    localRows = new LocalRows(conn, nodeId);
    outbox = new OutboxQuery(conn, nodeId);
  }

  /**
   * After a failed transaction (rolled back): sqlite-jdbc finalizes a statement whose step failed
   * (xerial/sqlite-jdbc#74), so every statement is closed and prepared again, and a transaction left
   * open is rolled back. If this fails too, the closed statements fail the next write, which recovers again.
   */
  @Override
  public void recover() {
    SqliteFiles.closeQuietly(tx, meta, localRows, remote, entries, outbox);
    sweep.statementsClosed();
    SqliteFiles.rollbackQuietly(conn);
    try {
      meta = new MetaTable(conn, "tide_meta");
      tx = new Transactions(conn);
      prepareRows();
      entries.prepare();
      remote = new RemoteApply(conn, this, entries, sweep, fence);
    } catch (SQLException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot prepare the store's statements again: " + e.getMessage(), e);
    }
  }

  @Override
  public void begin() throws SQLException {
    tx.begin();
  }

  @Override
  public void commit() throws SQLException {
    localRows.flush();
    if (!java.util.Objects.equals(cursor, committedCursor)) {
      if (cursor == null) {
        meta.delete("cursor");
      } else {
        meta.put("cursor", cursor);
      }
    }
    tx.commit();
    if (durableCommit) {
      durableCommit = false;
      syncWal();
    }
    entries.committed();
    committedClock = clock;
    committedCursor = cursor;
    caughtUpCommitted = caughtUp;
    sweep.committed();
    fence.committed();
  }

  @Override
  public void rollback() {
    localRows.clear();
    remote.clear();
    tx.rollback();
    entries.rolledBack();
    clock = committedClock;
    cursor = committedCursor;
    caughtUp = caughtUpCommitted;
    sweep.rolledBack();
    fence.rolledBack();
    durableCommit = false;
  }

  /** After a commit: it and every commit before it survive a power loss. */
  private void syncWal() {
    try {
      SqliteFiles.syncWal(path);
    } catch (java.io.IOException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot force " + path + "-wal to disk: " + e.getMessage(), e);
    }
  }

  /** Records the clock and marks a clean close, so the next open need not recover the clock from the data. */
  @Override
  public void close() {
    rollback();
    try {
      tx.begin();
      meta.put("clock", Long.toString(clock));
      meta.put("clean", "1");
      tx.commit();
    } catch (SQLException e) {
      tx.rollback(); // the next open recovers the clock from the data
    }
    closeQuietly(conn);
    SqliteFiles.release(lock);
  }

  @Override
  public String toString() {
    return "WriterStore[" + path + "]";
  }

  private static String newNodeId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void closeQuietly(Connection conn) {
    if (conn != null) {
      try {
        conn.close();
      } catch (SQLException ignored) {
        // closing after a failure: nothing more to do
      }
    }
  }
}

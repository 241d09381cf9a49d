package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies pulled changes to a client store under last-writer-wins, on its writing connection, inside the
 * writer's current transaction ({@link WriterStore#applyRemote}). Keeps a pending local write, re-stamped,
 * where it is newer in fact than a change that beats its stamp: a server stamp (a resurrection), or a
 * write this store lost and pulled back ({@link OwnPullFence}).
 */
final class RemoteApply implements AutoCloseable {

  private final WriterStore store;
  private final OutboxEntries entries;
  private final ResetSweep sweep;
  private final OwnPullFence fence;
  private final RemoteRows rows;
  private final PreparedStatement selectBody;
  private final PreparedStatement selectOutboxDoc;

  RemoteApply(Connection conn, WriterStore store, OutboxEntries entries, ResetSweep sweep, OwnPullFence fence) throws SQLException {
    this.store = store;
    this.entries = entries;
    this.sweep = sweep;
    this.fence = fence;
    this.rows = new RemoteRows(conn, store.nodeId());
    this.selectBody = conn.prepareStatement("SELECT body FROM tide_docs WHERE collection = ? AND id = ?");
    this.selectOutboxDoc = conn.prepareStatement("SELECT collection, id FROM tide_outbox WHERE counter = ?");
  }

  /** See {@link WriterStore#applyRemote}. */
  int apply(List<Change> changes, List<Change> won) throws SQLException {
    int applied = 0;
    for (int from = 0; from < changes.size(); from += RemoteRows.LOOKUP) {
      int to = Math.min(changes.size(), from + RemoteRows.LOOKUP);
      Map<RemoteRows.Key, RemoteRows.Local> known = rows.lookup(changes, from, to);
      for (Change change : changes.subList(from, to)) {
        if (apply(change, known)) {
          applied++;
          won.add(change.withSource(ChangeSource.REMOTE));
        }
      }
      rows.flush();
    }
    return applied;
  }

  /** One change, against the local state in {@code known} (kept current as changes are applied). */
  private boolean apply(Change change, Map<RemoteRows.Key, RemoteRows.Local> known) throws SQLException {
    sweep.seen(change.collection(), change.id());
    Stamp stamp = change.stamp();
    store.seen(stamp.counter());
    RemoteRows.Key key = new RemoteRows.Key(change.collection(), change.id());
    RemoteRows.Local local = known.get(key);
    if (local != null && local.pending() && fence.restamps(stamp, local.stamp(), store.nodeId())) {
      // a write this store lost, and the pending one made since (with a reused counter) is newer in fact
      restampPending(key, known);
      return false;
    }
    if (local != null && !stamp.beats(local.stamp())) {
      return false;
    }
    if (local != null && local.pending()) {
      if (SyncProtocol.SERVER_NODE.equals(stamp.node())) {
        // A server stamp marks a resurrected document, not a newer edit: the pending local write is
        // newer in fact. Keep it, stamped above the server's, so it wins on the server too.
        restampPending(key, known);
        return false;
      }
      entries.dropOfDoc(change.collection(), change.id());
    }
    rows.add(change);
    known.put(key, new RemoteRows.Local(stamp, false));
    if (store.nodeId().equals(stamp.node()) && fence.madeSinceOpen(stamp.counter())) {
      // a write this store lost came back with its counter, which a pending write of another document made
      // since may have reused: stamp that one again, so no two of this store's documents share a counter
      // (the outbox, tide_rejected and requeueOwn key this store's writes by counter)
      RemoteRows.Key reused = pendingOfCounter(stamp.counter());
      if (reused != null && !reused.equals(key)) {
        restampPending(reused, known);
      }
    }
    return true;
  }

  /**
   * The server wants the pushed write with this counter again under a stamp above {@code above}: the
   * document's pending state is stamped again (above every counter seen) and queued, unless a pulled
   * change replaced it meanwhile (the write lost; the outbox no longer holds it).
   */
  void restampPushed(long counter, long above) throws SQLException {
    store.seen(above);
    RemoteRows.Key key = pendingOfCounter(counter);
    if (key != null) {
      restampPending(key, new HashMap<>());
    }
  }

  /** The document of the outbox entry with this counter, or null. */
  private RemoteRows.Key pendingOfCounter(long counter) throws SQLException {
    selectOutboxDoc.setLong(1, counter);
    try (ResultSet rs = selectOutboxDoc.executeQuery()) {
      return rs.next() ? new RemoteRows.Key(rs.getString(1), rs.getString(2)) : null;
    }
  }

  /** Keeps a pending local write, stamped again above every counter seen, as the only outbox entry of its document. */
  private void restampPending(RemoteRows.Key key, Map<RemoteRows.Key, RemoteRows.Local> known) throws SQLException {
    entries.dropOfDoc(key.collection(), key.id());
    rows.flush();
    Stamp restamp = store.nextStamp();
    store.writeLocal(key.collection(), key.id(), localBody(key.collection(), key.id()), restamp);
    store.flushLocal();
    known.put(key, new RemoteRows.Local(restamp, true));
  }

  /** The stored JSON text of a document (null for a delete). */
  private String localBody(String collection, String id) throws SQLException {
    selectBody.setString(1, collection);
    selectBody.setString(2, id);
    try (ResultSet rs = selectBody.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Forgets buffered rows (after a rollback). */
  void clear() {
    rows.clear();
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(rows, selectBody, selectOutboxDoc);
  }
}

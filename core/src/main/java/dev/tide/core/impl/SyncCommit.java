package dev.tide.core.impl;

import dev.tide.core.Change;
import io.vertx.core.Context;

import java.sql.SQLException;
import java.util.List;

/**
 * Everything one sync exchange changes locally, in ONE transaction: the pushed ops leave the outbox
 * and their documents are confirmed, the pulled changes are applied by last-writer-wins, and the new
 * cursor is stored. After a crash either all of it is there or none, so a sync resumes without gaps
 * and without applying anything twice. Only changes that won are published (as remote changes).
 */
final class SyncCommit extends WriteTask<WriterStore, Integer> {

  private final long ackUpTo;
  private final List<Change> changes;
  private final String cursor;
  private final boolean setCursor;
  private final boolean caughtUp;

  /** @param ackUpTo acknowledge outbox entries up to this counter (0: none) */
  SyncCommit(Context context, long ackUpTo, List<Change> changes, String cursor, boolean setCursor, boolean caughtUp) {
    super(context);
    this.ackUpTo = ackUpTo;
    this.changes = changes;
    this.cursor = cursor;
    this.setCursor = setCursor;
    this.caughtUp = caughtUp;
  }

  /** Applies pulled (or pushed-by-server) changes and a cursor, with nothing to acknowledge. */
  static SyncCommit apply(Context context, List<Change> changes, String cursor) {
    return new SyncCommit(context, 0, changes, cursor, cursor != null, false);
  }

  /** The server asked for a reset: see {@link WriterStore#beginReset(boolean)}. */
  static WriteTask<WriterStore, Integer> reset(Context context, boolean historyPurged) {
    return new WriteTask<>(context) {
      @Override
      protected Integer run(WriterStore store, List<Change> events) throws SQLException {
        store.beginReset(historyPurged);
        return 0;
      }
    };
  }

  @Override
  protected Integer run(WriterStore store, List<Change> events) throws SQLException {
    // pulled changes first, while the pushed documents are still pending: a change that beats a pending
    // write replaces it, except a server stamp (a resurrection), above which the pending write is re-stamped
    int applied = store.applyRemote(changes, events);
    if (ackUpTo > 0) {
      store.acknowledge(ackUpTo);
    }
    if (setCursor) {
      store.setCursor(cursor);
    }
    if (caughtUp) {
      store.finishReset(events);
      store.markCaughtUp();
    }
    return applied;
  }

  @Override
  protected int weight() {
    return Math.max(1, changes.size()); // acknowledging is one range delete
  }
}

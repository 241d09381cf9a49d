package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.SyncResponse;
import io.vertx.core.Context;

import java.sql.SQLException;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Everything one sync exchange changes locally, in ONE transaction: the pushed ops leave the outbox
 * and their documents are confirmed, the pulled changes are applied by last-writer-wins, and the new
 * cursor is stored. After a crash either all of it is there or none, so a sync resumes without gaps
 * and without applying anything twice. Only changes that won are published (as remote changes).
 */
final class SyncCommit extends WriteTask<WriterStore, Integer> {

  private final long ackUpTo;
  private final long[] rejected;
  private final long[][] restamps;
  private final List<Change> changes;
  private final String cursor;
  private final boolean setCursor;
  private final boolean caughtUp;
  private final boolean ownPullDone;

  /**
   * @param ackUpTo  acknowledge outbox entries up to this counter (0: none)
   * @param rejected counters of the acknowledged writes the server rejected (kept as rejected)
   * @param restamps pairs (counter of a pushed write, counter its new stamp must be above) the server
   *                 wants again under a higher stamp ({@link OpResult.Status#RESTAMP})
   */
  SyncCommit(Context context, long ackUpTo, long[] rejected, long[][] restamps, List<Change> changes, String cursor,
             boolean setCursor, boolean caughtUp, boolean ownPullDone) {
    super(context);
    this.ackUpTo = ackUpTo;
    this.rejected = rejected;
    this.restamps = restamps;
    this.changes = changes;
    this.cursor = cursor;
    this.setCursor = setCursor;
    this.caughtUp = caughtUp;
    this.ownPullDone = ownPullDone;
  }

  /**
   * Applies an exchange's answer (its changes and cursor) and acknowledges the batch it pushed, keeping
   * the writes the server rejected as such.
   *
   * @param ownPullDone the exchange asked for own writes too and pulled the last page: see {@link OwnPullFence}
   */
  static SyncCommit exchanged(Context context, OutboxBatch batch, SyncResponse response, boolean caughtUp, boolean ownPullDone) {
    List<Change> ops = batch.ops();
    long[] rejected = IntStream.range(0, ops.size()).filter(i -> response.results().get(i).status() == OpResult.Status.REJECTED)
      .mapToLong(i -> ops.get(i).stamp().counter()).toArray();
    long[][] restamps = IntStream.range(0, ops.size()).filter(i -> response.results().get(i).status() == OpResult.Status.RESTAMP)
      .mapToObj(i -> new long[] {ops.get(i).stamp().counter(), response.results().get(i).above()}).toArray(long[][]::new);
    return new SyncCommit(context, batch.maxCounter(), rejected, restamps, response.changes(), response.cursor(), true,
      caughtUp, ownPullDone);
  }

  /**
   * Why the answer's {@code restamp} results cannot be right, or null. A server answers it only for an op
   * whose counter it holds or has purged, so {@code above} is never below the op's counter; a server that
   * says otherwise would have this store stamp and push the op again for ever.
   */
  static String invalidRestamp(OutboxBatch batch, SyncResponse response) {
    for (int i = 0; i < batch.ops().size(); i++) {
      OpResult r = response.results().get(i);
      long counter = batch.ops().get(i).stamp().counter();
      if (r.status() == OpResult.Status.RESTAMP && r.above() < counter) {
        return "results[" + i + "]: restamp above " + r.above() + " for an op at counter " + counter;
      }
    }
    return null;
  }

  /** Applies pulled (or pushed-by-server) changes and a cursor, with nothing to acknowledge. */
  static SyncCommit apply(Context context, List<Change> changes, String cursor) {
    return new SyncCommit(context, 0, new long[0], new long[0][], changes, cursor, cursor != null, false, false);
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
    // write replaces it, except a server stamp (a resurrection, from servers before the restamp answer),
    // above which the pending write is re-stamped
    int applied = store.applyRemote(changes, events);
    // before the acknowledgement, which removes the pushed writes' outbox entries: re-stamped, each gets a new one
    for (long[] restamp : restamps) {
      store.restampPushed(restamp[0], restamp[1]);
    }
    for (long counter : rejected) {
      store.keepRejected(counter);
    }
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
    if (ownPullDone) {
      store.finishOwnPull();
    }
    return applied;
  }

  @Override
  protected int weight() {
    return Math.max(1, changes.size()); // acknowledging is one range delete
  }
}

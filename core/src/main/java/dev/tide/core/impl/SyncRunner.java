package dev.tide.core.impl;

import dev.tide.core.OpResult;
import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.TideException;
import dev.tide.core.spi.SyncTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;

/**
 * The exchanges of a {@link SyncEngine}'s sync runs (PROTOCOL.md, section 5): push an outbox batch, pull a
 * page, again until nothing is left, getting past the failures the protocol says how to. Keeps this
 * client's position: its cursor, and whether pulls include its own writes. Confined to the store's
 * context, like the engine, which starts one run at a time.
 */
final class SyncRunner {

  private final TideImpl tide;
  private final Context context;
  private final SyncOptions options;
  private final SyncTransport transport;
  private final SyncStatusTracker status;
  private final Runnable caughtUp;
  private String cursor;
  private boolean resetting;
  private boolean ownPull; // pushes wait until a pull with include_own completed after the open (OwnPullFence)
  private final PushRefusals refusals;
  private final ExchangeSize size;

  SyncRunner(TideImpl tide, Context context, SyncOptions options, SyncTransport transport, SyncStatusTracker status,
             Runnable caughtUp, String cursor, boolean resetting, boolean ownPull) {
    this.tide = tide;
    this.context = context;
    this.options = options;
    this.transport = transport;
    this.status = status;
    this.caughtUp = caughtUp;
    this.cursor = cursor;
    this.resetting = resetting;
    this.ownPull = ownPull;
    this.refusals = new PushRefusals(tide.writer(), context, options.getPushBatchOps(), tide.vertx().eventBus(), tide.rejectedAddress());
    this.size = new ExchangeSize(options.getPushBatchOps(), options.getPullLimit());
  }

  String cursor() {
    return cursor;
  }

  /** A push the server sent on its own was applied: the cursor moves to its end. */
  void cursor(String cursor) {
    this.cursor = cursor;
  }

  /** Changes per pull (at most): what the link allows now. */
  int pullLimit() {
    return size.pullLimit();
  }

  /** Counters of one run. */
  private static final class Run {
    int exchanges;
    int pushed;
    int rejected;
    int pulled;
    int applied;
    boolean reset;
  }

  Future<SyncResult> run(OutboxBatch prefetched) {
    status.syncing();
    return step(new Run(), prefetched);
  }

  private Future<SyncResult> step(Run run, OutboxBatch prefetched) {
    int maxOps = pushOps();
    Future<OutboxBatch> batch = ownPull ? Future.succeededFuture(new OutboxBatch(List.of(), 0, false))
      : prefetched != null ? Future.succeededFuture(prefetched)
      : tide.read(() -> tide.reader().outbox(maxOps, options.getPushBatchBytes()));
    return batch
      .compose(b -> exchange(b, run))
      .compose(more -> more ? step(run, null) : Future.succeededFuture(
        new SyncResult(run.exchanges, run.pushed, run.rejected, run.pulled, run.applied, cursor)));
  }

  /** One exchange; completes with true if another should follow at once. */
  private Future<Boolean> exchange(OutboxBatch batch, Run run) {
    run.exchanges++;
    // after a history reset the full pull includes this store's own writes: they tell what the server still has;
    // after an open, they bring back the writes this store may have lost (OwnPullFence)
    boolean includeOwn = pullingOwn();
    SyncRequest request = new SyncRequest(tide.nodeId(), cursor, batch.ops(), size.pullLimit(), includeOwn);
    return transport.exchange(request).transform(ar -> {
      if (ar.failed()) {
        size.failed(ar.cause(), batch.ops().size());
        return recover(unreachable(ar.cause()), batch, run);
      }
      SyncResponse response = ar.result();
      // cut by a byte limit or the server's page size: it carried all that the size could have
      int opsCarried = batch.full() ? Integer.MAX_VALUE : batch.ops().size();
      size.succeeded(opsCarried, response.more() ? Integer.MAX_VALUE : response.changes().size());
      refusals.carried(opsCarried);
      if (response.results().size() != batch.ops().size()) {
        return Future.failedFuture(new SyncException(502, SyncException.PROTOCOL_ERROR, // as every answer that breaks the protocol
          "server sent " + response.results().size() + " results for " + batch.ops().size() + " ops", "results"));
      }
      String invalid = SyncCommit.invalidRestamp(batch, response);
      if (invalid != null) {
        return Future.failedFuture(SyncException.protocolError(invalid));
      }
      boolean nowCaughtUp = !response.more();
      boolean ownPullDone = includeOwn && nowCaughtUp;
      return tide.writer().submit(SyncCommit.exchanged(context, batch, response, nowCaughtUp, ownPullDone))
        .map(applied -> {
          cursor = response.cursor();
          run.pushed += batch.ops().size();
          run.pulled += response.changes().size();
          run.applied += applied;
          run.rejected += refusals.publishRejected(batch.ops(), response.results());
          if (nowCaughtUp) {
            resetting = false;
            caughtUp.run();
          }
          if (ownPullDone) {
            ownPull = false;
          }
          status.progress(response.changes().size(), response.remaining());
          // the server asked for a write again under a higher stamp, or a server stamp made a pending write
          // re-stamp itself above it: push that in this run too
          boolean restamped = response.results().stream().anyMatch(r -> r.status() == OpResult.Status.RESTAMP)
            || response.changes().stream().anyMatch(c -> SyncProtocol.SERVER_NODE.equals(c.stamp().node()));
          return response.more() || batch.full() || restamped || (ownPullDone && tide.pendingNow() > 0);
        });
    });
  }

  /** True while pulls include this store's own writes: after a history reset, and after an open. */
  boolean pullingOwn() {
    return resetting || ownPull;
  }

  /** Ops per push: what refusals and the link allow now. */
  int pushOps() {
    return Math.min(refusals.pushBatchOps(), size.pushOps());
  }

  /** A transport's failure as a sync reports it; tide's own failures as they are. */
  private static TideException unreachable(Throwable failure) {
    return failure instanceof TideException e ? e
      : new SyncUnreachableException("cannot reach the sync server: " + failure.getMessage(), failure);
  }

  /** Failures the protocol says how to get past (PROTOCOL.md, section 5); others end the run. */
  private Future<Boolean> recover(Throwable error, OutboxBatch batch, Run run) {
    if (error instanceof SyncException e) {
      if (e.status() == 409 && "reset_required".equals(e.code()) && !run.reset) {
        run.reset = true;
        boolean purged = "history_purged".equals(e.reason());
        return tide.writer().submit(SyncCommit.reset(context, purged))
          .map(v -> {
            cursor = null;
            resetting = purged;
            return true;
          });
      }
      Future<Boolean> past = refusals.recover(e, batch,
        () -> transport.exchange(new SyncRequest(tide.nodeId(), cursor, List.of(), 1, resetting))
          .recover(failure -> Future.failedFuture(unreachable(failure))),
        (op, code, message) -> {
          run.rejected++;
          refusals.publishRejected(op, code, message);
        });
      if (past != null) {
        return past;
      }
    }
    return Future.failedFuture(error);
  }
}

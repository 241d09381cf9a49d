package dev.tide.core.impl;

import dev.tide.core.StoreException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxException;

import java.util.ArrayList;
import java.util.List;

/**
 * Pushes the outbox and pulls changes through a {@link SyncTransport} (PROTOCOL.md, section 5).
 * All its state is confined to the store's context. At most one exchange is in flight: calls made
 * during a sync coalesce into one follow-up sync. In the background it syncs after local writes, on
 * an interval, and after failures with capped exponential backoff and jitter.
 */
final class SyncEngine {

  private final TideImpl tide;
  private final Context context;
  private final SyncOptions options;
  private final SyncTransport transport;
  private boolean caughtUp;
  private final List<Promise<Void>> caughtUpWaiters = new ArrayList<>();

  private Future<SyncResult> running;
  private boolean runningPush;
  private List<Promise<SyncResult>> waiting = new ArrayList<>();
  private boolean followUpWanted; // the engine itself wants a sync after the one in flight (no caller waits for it)
  private final PushQueue pushes = new PushQueue();
  private boolean background;
  private boolean closed;
  private boolean stopped; // by stopSync: pushes wait for the next sync (an app that never started sync still gets them)
  private final SyncTimer timer;
  private long intervalMs;

  private final SyncStatusTracker status;
  private final SyncRunner runner;
  private final OutboxPrefetch prefetch;

  SyncEngine(TideImpl tide, Context context, SyncOptions options, SyncTransport transport, String cursor, boolean caughtUp,
             boolean resetting, boolean ownPull, OutboxPrefetch prefetch) {
    this.prefetch = prefetch;
    this.tide = tide;
    this.context = context;
    this.options = options;
    this.transport = transport;
    this.caughtUp = caughtUp;
    this.intervalMs = options.getIntervalMs();
    this.timer = new SyncTimer(tide.vertx(), options);
    this.status = new SyncStatusTracker(tide, context, tide.statusAddress(), caughtUp);
    this.runner = new SyncRunner(tide, context, options, transport, status, this::markCaughtUp, cursor, resetting, ownPull);
    transport.pushHandler(push -> context.runOnContext(v -> applyPushed(push)));
    transport.connectedHandler(v -> context.runOnContext(x -> {
      if (background) {
        // catch up now instead of waiting out the backoff; the failures are not forgotten yet: a server that
        // accepts connections but closes them has answered nothing, and retries must keep backing off
        followUp();
      } else if (!stopped && !closed) {
        // an app that only calls syncOnce still gets pushes (see stopped): the new socket's server side
        // learns this client's position only from an exchange, without which it pushes nothing
        followUp();
      }
    }));
    transport.disconnectedHandler(v -> context.runOnContext(x -> {
      if (background && running == null && timer.failures() == 0) {
        // nothing is pushed now: say so, and sync after a backoff (an exchange now would reconnect at once,
        // and every client of a server whose sockets all dropped would come back in the same instant)
        SyncUnreachableException lost = new SyncUnreachableException("connection to the server lost",
          new VertxException("connection to the server lost", true));
        status.failed(lost);
        schedule(timer.failed(lost));
      }
    }));
  }

  // ---- public operations (any thread); state is touched on the store's context only

  Future<SyncResult> syncOnce() {
    Promise<SyncResult> p = Promise.promise();
    context.runOnContext(v -> request(p));
    return p.future();
  }

  /** Starts background sync; a positive {@code intervalMs} overrides the configured interval. */
  Future<Void> start(long intervalMs) {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        p.fail(new StoreException("store is closed"));
        return;
      }
      if (intervalMs > 0) {
        this.intervalMs = intervalMs;
      }
      stopped = false;
      if (!background) {
        background = true;
        timer.succeeded();
        schedule(0);
      }
      p.complete();
    });
    return p.future();
  }

  Future<Void> stop() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      background = false;
      stopped = true;
      prefetch.stop();
      timer.cancel();
      Future<SyncResult> current = running;
      if (current == null) {
        p.complete();
      } else {
        current.<Void>transform(ar -> Future.succeededFuture()).onComplete(p);
      }
    });
    return p.future();
  }

  Future<Void> initialSync() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      if (closed) {
        p.fail(new StoreException("store is closed"));
      } else if (caughtUp) {
        p.complete();
      } else {
        caughtUpWaiters.add(p);
      }
    });
    return p.future();
  }

  Future<SyncStatus> status() {
    Promise<SyncStatus> p = Promise.promise();
    context.runOnContext(v -> status.status().onComplete(p)); // its fields are the context's
    return p.future();
  }

  /** A local write committed: sync soon, unless idle and backing off after a failure (the timer retries then). */
  void localCommitted() {
    status.pendingChanged();
    OutboxBatch prefetched = prefetch.take(); // read after this commit, or later: dropped unless idle
    if (!background) {
      return;
    }
    if (running != null) {
      // a sync is in flight (maybe a retry after failures): it may have read the outbox already, so one
      // follow-up sync carries every write made meanwhile; without it, a push transport that polls
      // nothing would leave them pending until the next write
      followUp();
    } else if (timer.failures() == 0) {
      if (prefetched != null && waiting.isEmpty() && !followUpWanted && !runner.pullingOwn()) {
        prefetch.used();
        startRun(List.of(), prefetched);
      } else {
        followUp();
      }
    } // else: backing off after failures; the retry timer syncs these writes too
  }

  // ---- runs

  private void request(Promise<SyncResult> p) {
    if (running == null) {
      startRun(List.of(p), null);
    } else {
      waiting.add(p);
    }
  }

  /** @param prefetched the outbox batch to push first, read after the last commit this engine saw; null to read it */
  private void startRun(List<Promise<SyncResult>> waiters, OutboxBatch prefetched) {
    timer.cancel();
    pushes.clear(); // the run pulls everything after the cursor, queued pushes included
    begin(runner.run(prefetched), waiters, true);
  }

  /** Makes {@code work} the one thing in flight; when it ends, waiting callers get a follow-up sync. */
  private void begin(Future<SyncResult> work, List<Promise<SyncResult>> waiters, boolean isRun) {
    running = work;
    runningPush = !isRun;
    prefetch.stop(); // the work writes to the outbox: a batch read meanwhile may be stale
    work.onComplete(ar -> {
      running = null;
      if (isRun) {
        afterRun(ar.failed() ? ar.cause() : null);
      } else if (ar.failed()) {
        // a push the store could not apply: the cursor did not move, and no later push continues it. A sync
        // after the backoff fetches it again; without one the client would stay behind, connected and saying
        // nothing, until the server happened to commit again
        pushes.clear();
        afterRun(ar.cause());
      }
      waiters.forEach(w -> w.handle(ar));
      // after a failure the retry timer (or the app's next call) syncs: a follow-up now would retry at once, and
      // each retry that opens a connection asks for another one (a busy loop against a server that closes them)
      // (and once stopSync was called, nothing syncs on its own: its callers wait for the work in flight only)
      boolean again = followUpWanted && ar.succeeded() && !stopped;
      followUpWanted = false;
      if (again || !waiting.isEmpty()) {
        List<Promise<SyncResult>> next = waiting;
        waiting = new ArrayList<>();
        startRun(next, null);
      } else if (!pushes.isEmpty()) {
        applyPushed(pushes.poll());
      } else if (background && timer.failures() == 0 && !runner.pullingOwn()) {
        prefetch.want(runner.pushOps(), options.getPushBatchBytes());
      }
    });
  }

  /** Asks for one more sync after the current one (or now), without piling up several. */
  private void followUp() {
    if (running == null) {
      request(Promise.promise());
    } else {
      followUpWanted = true;
    }
  }

  /**
   * Changes the server pushed on its own (WebSocket). Applied at once if they continue this client's
   * cursor and nothing is in flight; otherwise a sync brings them, in order, so no gap is ever skipped.
   */
  private void applyPushed(PushedChanges push) {
    if (stopped || closed) {
      return; // sync was stopped: the next sync brings these changes (the cursor did not move)
    }
    if (runner.pullingOwn()) {
      if (timer.failures() == 0) {
        followUp(); // a pull of own writes (after a reset or an open) must see them: pushes leave them out
      } // else: backing off after failures; the retry timer syncs
      return;
    }
    if (running != null && runningPush && waiting.isEmpty() && !followUpWanted) {
      if (pushes.offer(push, runner.pullLimit())) {
        return; // continues the push being applied: apply it next, in order
      }
      // more than one exchange's page arrived while the store was busy: hold none of it (a client slower
      // than the server's commits would hold an ever longer backlog), an exchange brings it instead
      pushes.clear();
      followUp();
      return;
    }
    if (running != null || !java.util.Objects.equals(push.from(), runner.cursor())) {
      followUp();
      return;
    }
    Future<SyncResult> apply = tide.writer().submit(SyncCommit.apply(context, push.changes(), push.cursor()))
      .map(applied -> {
        runner.cursor(push.cursor());
        status.progress(push.changes().size(), 0);
        return new SyncResult(0, 0, 0, push.changes().size(), applied, runner.cursor());
      });
    begin(apply, List.of(), false);
    if (push.changes().stream().anyMatch(c -> SyncProtocol.SERVER_NODE.equals(c.stamp().node()))) {
      followUp(); // a server stamp may have made a pending write re-stamp itself above it: send that
    }
  }

  /** The most pushed changes held at once while an earlier push was being applied (monitoring, tests). */
  int mostQueuedChanges() {
    return pushes.mostChanges();
  }

  private void afterRun(Throwable failure) {
    long delayMs;
    if (failure == null) {
      timer.succeeded();
      status.succeeded();
      delayMs = transport.pushes() ? -1 : intervalMs; // the server pushes: nothing to poll for
    } else {
      delayMs = timer.failed(failure);
      status.failed(failure);
    }
    if (background) {
      schedule(delayMs);
    }
  }

  /** Syncs after {@code delayMs} while in the background (a negative delay: not on a timer). */
  private void schedule(long delayMs) {
    if (!closed) {
      timer.set(delayMs, () -> {
        if (background) {
          request(Promise.promise());
        }
      });
    }
  }

  private void markCaughtUp() {
    caughtUp = true;
    status.caughtUp();
    caughtUpWaiters.forEach(Promise::tryComplete);
    caughtUpWaiters.clear();
  }

  /**
   * Stops for good: waiters of the initial sync fail, nothing is scheduled any more. The transport closes
   * first, so an exchange in flight ends now (it fails: nothing is applied, the outbox stays) instead of
   * holding the close until the request times out.
   */
  Future<Void> close() {
    Promise<Void> marked = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      StoreException e = new StoreException("store is closed");
      caughtUpWaiters.forEach(w -> w.tryFail(e));
      caughtUpWaiters.clear();
      marked.complete();
    });
    return marked.future().compose(v -> transport.close().transform(ar -> stop()));
  }
}

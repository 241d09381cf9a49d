package dev.tide.core.impl;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import io.vertx.core.Vertx;

/**
 * When a {@link SyncEngine} syncs next on its own: the one timer it keeps, and how many syncs failed in
 * a row (which sets the backoff). Confined to the store's context, like the engine.
 */
final class SyncTimer {

  private final Vertx vertx;
  private final SyncOptions options;
  private long timer = -1;
  private int failures;

  SyncTimer(Vertx vertx, SyncOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Syncs that failed in a row; 0 when the last one succeeded (or the server is known to be back). */
  int failures() {
    return failures;
  }

  void succeeded() {
    failures = 0;
  }

  /** Counts a failed sync; returns the delay before the retry: the backoff, or a busy server's Retry-After if longer. */
  long failed(Throwable failure) {
    failures++;
    long retryAfterMs = failure instanceof SyncException e && e.retryAfterSeconds() > 0
      ? Math.min(3600, e.retryAfterSeconds()) * 1000 : 0;
    return Math.max(Backoff.delayMs(options, failures), retryAfterMs);
  }

  /** Runs {@code fire} after {@code delayMs}, replacing what was set; a negative delay only cancels. */
  void set(long delayMs, Runnable fire) {
    cancel();
    if (delayMs >= 0) {
      timer = vertx.setTimer(Math.max(1, delayMs), id -> {
        timer = -1;
        fire.run();
      });
    }
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}

package dev.tide.core.impl;

import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * Closing in steps (sync, reader, writer, executors): every step runs even if one before it failed, so
 * a failure never leaves a connection or a file lock open, and the close reports the first failure
 * instead of the success of whichever step came first.
 */
public final class CloseSteps {

  private CloseSteps() {
  }

  /** Runs {@code step} once {@code before} completes, either way; fails with the first failure of the two. */
  public static Future<Void> andThen(Future<?> before, Supplier<Future<?>> step) {
    return before.transform(b -> {
      Future<?> after;
      try {
        after = step.get();
      } catch (RuntimeException e) {
        after = Future.failedFuture(e);
      }
      return after.transform(a -> b.failed() ? Future.failedFuture(b.cause())
        : a.failed() ? Future.failedFuture(a.cause()) : Future.<Void>succeededFuture());
    });
  }
}

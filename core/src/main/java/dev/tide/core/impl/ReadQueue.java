package dev.tide.core.impl;

import dev.tide.core.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * Queries on the store's one reader connection, in submission order, on one worker thread that spins
 * briefly between queries (see {@link WorkerDrain}); each future completes on its caller's context.
 */
final class ReadQueue {

  private record Read<T>(Context context, Callable<T> query, Promise<T> promise) {
    void run() {
      T result;
      try {
        result = query.call();
      } catch (Throwable e) {
        answer(context, () -> promise.fail(e));
        return;
      }
      answer(context, () -> promise.complete(result));
    }
  }

  /**
   * Completes a read on its caller's context, or here if that context refuses work (a worker verticle with
   * its own pool, undeployed meanwhile): a read must still complete, and the queue must go on.
   */
  static void answer(Context context, Runnable action) {
    try {
      context.runOnContext(v -> action.run());
    } catch (RejectedExecutionException gone) {
      action.run();
    }
  }

  private final ConcurrentLinkedQueue<Read<?>> queue = new ConcurrentLinkedQueue<>();
  private final WorkerDrain drain;
  /** Set on the worker by {@link #close}; reads that come later fail instead of meeting a closed connection. */
  private volatile boolean closed;

  ReadQueue(WorkerExecutor executor) {
    this.drain = new WorkerDrain(executor, () -> !queue.isEmpty(), this::runOne, this::failQueued);
  }

  <T> Future<T> submit(Context context, Callable<T> query) {
    if (closed) {
      return Future.failedFuture(new StoreException("store is closed"));
    }
    Read<T> read = new Read<>(context, query, Promise.promise());
    queue.add(read);
    drain.signal();
    return read.promise().future();
  }

  /** Runs {@code closer} after every read queued before it; reads after it fail with {@link StoreException}. */
  Future<Void> close(Context context, Callable<Void> closer) {
    return submit(context, () -> {
      closed = true;
      return closer.call();
    });
  }

  /** The worker could not run (closed while a read was being queued): fail what waits. */
  private void failQueued(Throwable cause) {
    Read<?> read;
    while ((read = queue.poll()) != null) {
      Read<?> r = read;
      answer(r.context(), () -> r.promise().fail(new StoreException("store is closed", cause)));
    }
  }

  private void runOne() {
    Read<?> read = queue.poll();
    if (read != null) {
      if (closed) {
        answer(read.context(), () -> read.promise().fail(new StoreException("store is closed")));
      } else {
        read.run();
      }
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Queries on the store's one reader connection, in submission order, on one worker thread that spins
 * briefly between queries (see {@link WorkerDrain}); each future completes on its caller's context.
 */
final class ReadQueue {

  private record Read<T>(Context context, Callable<T> query, Promise<T> promise) {
    void run() {
      try {
        T result = query.call();
        context.runOnContext(v -> promise.complete(result));
      } catch (Throwable e) {
        context.runOnContext(v -> promise.fail(e));
      }
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
      r.context().runOnContext(v -> r.promise().fail(new StoreException("store is closed", cause)));
    }
  }

  private void runOne() {
    Read<?> read = queue.poll();
    if (read != null) {
      if (closed) {
        read.context().runOnContext(v -> read.promise().fail(new StoreException("store is closed")));
      } else {
        read.run();
      }
    }
  }
}

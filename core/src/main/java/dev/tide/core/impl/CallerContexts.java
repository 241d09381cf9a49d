package dev.tide.core.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

/**
 * Where the futures of the store's API complete: on the caller's context, or on the store's for a thread
 * that is not a Vert.x one.
 */
final class CallerContexts {

  private final Context context; // the store's

  CallerContexts(Context context) {
    this.context = context;
  }

  /**
   * A result known at once: from a Vert.x thread the future is returned as is (its callbacks run right
   * there, on the caller's context); from another thread it completes on the store's context, as the
   * other futures of this API do.
   */
  <T> Future<T> now(Future<T> result) {
    ContextInternal store = (ContextInternal) context;
    if (Vertx.currentContext() != null || store.nettyEventLoop().isShuttingDown()) {
      // a Vert.x closed under the store: its context would refuse the callbacks, so waiting on the future threw
      return result;
    }
    // bound to the store's context: callbacks run there, even those added after it completed
    return result.succeeded() ? store.succeededFuture(result.result()) : store.failedFuture(result.cause());
  }

  /** Where write futures complete: the caller's context, or the store's for non-Vert.x threads. */
  Context caller() {
    Context current = Vertx.currentContext();
    return current != null ? current : context;
  }

  /**
   * Completes on the caller's context, like every other future of this API; right where {@code f} completes
   * if that context refuses work (a worker verticle with its own pool, undeployed meanwhile): thrown there,
   * it would stop the engine's step that completed it (the close waiting for a pending initialSync() never
   * ended, the other callers of the same sync run never heard of it).
   */
  <T> Future<T> onCaller(Future<T> f) {
    Context caller = caller();
    if (caller == context) {
      return f;
    }
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> ReadQueue.answer(caller, () -> p.handle(ar)));
    return p.future();
  }
}

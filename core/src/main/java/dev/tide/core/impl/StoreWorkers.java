package dev.tide.core.impl;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

import java.util.concurrent.TimeUnit;

/**
 * Worker executors that belong to a store, closed by the store's own close only. Vert.x ties an
 * executor to the context that creates it: made from a verticle, undeploying that verticle would stop
 * the store's threads under it (its connections and file lock still open, queued writes never
 * answered); made outside one, {@code Vertx.close()} would stop them while the store drains. The store
 * instead closes itself from a close hook, then closes these.
 */
public final class StoreWorkers {

  private StoreWorkers() {
  }

  /** A shared worker executor of {@code size} threads named {@code name-N}, owned by no deployment. */
  public static WorkerExecutor create(Vertx vertx, String name, int size) {
    // created while a context of our own is current: the executor then hangs off that context's close
    // future, which nothing else closes
    ContextInternal owner = ((VertxInternal) vertx).contextBuilder().withCloseFuture(new CloseFuture()).build();
    WorkerExecutor[] made = new WorkerExecutor[1];
    owner.dispatch(() -> made[0] = vertx.createSharedWorkerExecutor(name, size, 10, TimeUnit.MINUTES));
    return made[0];
  }
}

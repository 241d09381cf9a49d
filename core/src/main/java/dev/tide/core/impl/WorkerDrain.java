package dev.tide.core.impl;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.CloseFuture;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.WorkerExecutorInternal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs {@code step} repeatedly on a one-thread worker executor while {@code hasWork} says there is
 * work, then spins briefly before giving the thread back. A caller that awaits each operation submits
 * the next one within microseconds, and waking a parked worker costs more than that (on a 2-vCPU VM,
 * tens of microseconds), so the spin saves one thread wake-up per operation. It spins only while that
 * pays: a spin that saw no work turns spinning off, and work that arrives within the spin window after
 * the thread was let go turns it back on (sporadic work then costs no idle CPU).
 */
final class WorkerDrain {

  /** Keep one run short so the worker is not flagged as blocked under sustained load. */
  private static final long MAX_RUN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

  private final WorkerExecutor executor;
  private final BooleanSupplier hasWork;
  private final Runnable step;
  private final Consumer<Throwable> rejected;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /**
   * Where a run's future completes: a context of its own, which nothing closes. A run started from the
   * caller's context would complete there, and a context that refuses work by then (a worker verticle
   * with its own pool, undeployed) would throw on the worker and lose the run's failure.
   */
  private final ContextInternal home;
  private volatile boolean spin = true;
  private volatile long idleSince;

  /**
   * @param rejected called when a run could not be started or ended by throwing (the executor is
   *                 closed, or a step failed): the queued work must then be failed, not left waiting
   */
  WorkerDrain(WorkerExecutor executor, BooleanSupplier hasWork, Runnable step, Consumer<Throwable> rejected) {
    this.executor = executor;
    this.hasWork = hasWork;
    this.step = step;
    this.rejected = rejected;
    this.home = ((VertxInternal) ((WorkerExecutorInternal) executor).vertx()).contextBuilder()
      .withCloseFuture(new CloseFuture()).build();
  }

  /** Call after adding work: starts a run unless one is going (a running one will see the work). */
  void signal() {
    if (scheduled.compareAndSet(false, true)) {
      if (!spin && System.nanoTime() - idleSince < SPIN_NANOS) {
        spin = true; // a spin would have caught this: the caller is in a tight loop again
      }
      start();
    }
  }

  private void start() {
    // started from the drain's own context: the run's future completes there, whichever thread signalled
    AtomicReference<Future<Void>> started = new AtomicReference<>();
    home.dispatch(() -> {
      try {
        started.set(executor.executeBlocking(this::run, false));
      } catch (RuntimeException closed) { // a closed executor throws RejectedExecutionException
        started.set(Future.failedFuture(closed));
      }
    });
    started.get().onFailure(e -> {
      scheduled.set(false);
      rejected.accept(e);
    });
  }

  private Void run() {
    long deadline = System.nanoTime() + MAX_RUN_NANOS;
    while (true) {
      if (spin && !hasWork.getAsBoolean()) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (!hasWork.getAsBoolean() && System.nanoTime() - spinUntil < 0) {
          Thread.onSpinWait();
        }
        spin = hasWork.getAsBoolean();
      }
      if (!hasWork.getAsBoolean()) {
        idleSince = System.nanoTime();
        scheduled.set(false);
        // work added after the check above but before the flag was cleared must not be stranded
        if (!hasWork.getAsBoolean() || !scheduled.compareAndSet(false, true)) {
          return null;
        }
      }
      step.run();
      if (System.nanoTime() - deadline > 0 && hasWork.getAsBoolean()) {
        start();
        return null;
      }
    }
  }
}

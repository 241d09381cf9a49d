package dev.tide.core.impl;

import dev.tide.core.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@ExtendWith(VertxExtension.class)
class ReadQueueTest {

  @Test
  void runsInOrderOnOneThreadAndReportsFailures(Vertx vertx) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("read-queue-test", 1);
    try {
      ReadQueue reads = new ReadQueue(executor);
      List<Integer> order = new CopyOnWriteArrayList<>();
      List<String> threads = new CopyOnWriteArrayList<>();
      List<Future<Integer>> futures = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int n = i;
        futures.add(reads.submit(vertx.getOrCreateContext(), () -> {
          order.add(n);
          threads.add(Thread.currentThread().getName());
          return n;
        }));
      }
      Future.all(futures).await();
      assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), order);
      assertEquals(1, threads.stream().distinct().count());
      assertNotEquals(-1, threads.get(0).indexOf("read-queue-test"));
      Throwable e = assertThrowsAwait(reads.submit(vertx.getOrCreateContext(), () -> {
        throw new IllegalStateException("boom");
      }));
      assertEquals("boom", e.getMessage());
    } finally {
      executor.close().await();
    }
  }

  /** A read queued as the worker closes (a store closing under it) fails instead of waiting forever. */
  @Test
  void readsOnAClosedWorkerFail(Vertx vertx) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("read-queue-closed", 1);
    executor.close().await();
    ReadQueue reads = new ReadQueue(executor);
    Throwable e = assertThrowsAwait(reads.submit(vertx.getOrCreateContext(), () -> 1));
    assertInstanceOf(StoreException.class, e);
    // and the queue is usable for the next attempt (it fails the same way, it does not hang)
    assertInstanceOf(StoreException.class, assertThrowsAwait(reads.submit(vertx.getOrCreateContext(), () -> 2)));
  }

  /** Close runs after the reads queued before it; reads queued behind it or submitted later fail cleanly. */
  @Test
  void closeRunsAfterEarlierReadsAndFailsLaterOnes(Vertx vertx) {
    WorkerExecutor executor = vertx.createSharedWorkerExecutor("read-queue-close", 1);
    try {
      ReadQueue reads = new ReadQueue(executor);
      List<String> log = new CopyOnWriteArrayList<>();
      Future<Integer> before = reads.submit(vertx.getOrCreateContext(), () -> {
        log.add("read");
        return 1;
      });
      Future<Void> close = reads.close(vertx.getOrCreateContext(), () -> {
        log.add("close");
        return null;
      });
      Future<Integer> behind = reads.submit(vertx.getOrCreateContext(), () -> {
        log.add("late read ran");
        return 2;
      });
      assertEquals(1, before.await());
      close.await();
      assertInstanceOf(StoreException.class, assertThrowsAwait(behind));
      assertInstanceOf(StoreException.class, assertThrowsAwait(reads.submit(vertx.getOrCreateContext(), () -> 3)));
      assertEquals(List.of("read", "close"), log);
    } finally {
      executor.close().await();
    }
  }

  private static Throwable assertThrowsAwait(Future<?> f) {
    try {
      f.await();
    } catch (Throwable e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }
}

package dev.tide.core.impl;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class OffLoopDecoderTest {

  private static final int LARGE = OffLoopDecoder.INLINE_BYTES;

  /**
   * Small messages are decoded at once on the event loop; a large one on a worker, and the messages after
   * it wait for it: every result reaches the event loop in the order submitted, failures too.
   */
  @Test
  void largeMessagesLeaveTheEventLoopAndResultsStayInOrder(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<String> handled = new CopyOnWriteArrayList<>();
    List<Boolean> decodedOnEventLoop = new CopyOnWriteArrayList<>();
    CountDownLatch holdLarge = new CountDownLatch(1);
    context.runOnContext(v -> test.verify(() -> {
      OffLoopDecoder decoder = new OffLoopDecoder(vertx);
      decoder.submit(LARGE - 1, () -> {
        decodedOnEventLoop.add(Context.isOnEventLoopThread());
        return "a";
      }, ar -> handled.add(ar.result()));
      assertEquals(List.of("a"), handled, "a small message with nothing before it is handled at once");
      decoder.submit(LARGE, () -> {
        decodedOnEventLoop.add(Context.isOnEventLoopThread());
        holdLarge.await();
        return "b";
      }, ar -> handled.add(ar.result()));
      decoder.submit(10, () -> "c", ar -> handled.add(ar.result()));
      decoder.submit(LARGE * 4L, () -> {
        throw new IllegalArgumentException("bad d");
      }, ar -> handled.add("failed: " + ar.cause().getMessage()));
      decoder.submit(10, () -> "e", ar -> {
        handled.add(ar.result());
        test.verify(() -> {
          assertEquals(List.of("a", "b", "c", "failed: bad d", "e"), handled);
          assertEquals(List.of(true, false), decodedOnEventLoop);
          assertTrue(Context.isOnEventLoopThread(), "results are handled on the caller's event loop");
        });
        context.runOnContext(later -> test.verify(() -> {
          // the queue is empty again: a small message is handled at once
          decoder.submit(1, () -> "f", f -> handled.add(f.result()));
          assertEquals("f", handled.get(handled.size() - 1));
          test.completeNow();
        }));
      });
      assertEquals(List.of("a"), handled, "c waits for b (still decoding on a worker)");
      holdLarge.countDown();
    }));
  }

  @Test
  void decodeFailsItsFutureOnAnyException(Vertx vertx, VertxTestContext test) {
    OffLoopDecoder.decode(vertx, 1, () -> {
      throw new IllegalStateException("small");
    }).onComplete(test.failing(small -> test.verify(() -> {
      assertEquals("small", small.getMessage());
      OffLoopDecoder.decode(vertx, LARGE, () -> {
        assertFalse(Context.isOnEventLoopThread());
        throw new IllegalStateException("large");
      }).onComplete(test.failing(large -> test.verify(() -> {
        assertEquals("large", large.getMessage());
        test.completeNow();
      })));
    })));
  }
}

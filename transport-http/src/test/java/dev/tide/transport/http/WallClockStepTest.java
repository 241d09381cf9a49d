package dev.tide.transport.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An exchange's watchdog measures silence on a monotonic clock, here a fake the test holds still while
 * real time goes on for several timeouts (the server does not answer). That is what it sees when the wall
 * clock is stepped forward meanwhile (NTP correcting a device that booted with a date behind): measured on
 * the wall clock the timeout would have passed, and a live exchange would be cut.
 */
@ExtendWith(VertxExtension.class)
class WallClockStepTest {

  static final long TIMEOUT_MS = 100;

  @Test
  void aStepForwardOfTheWallClockDoesNotCutAnExchange(Vertx vertx, VertxTestContext test) {
    AtomicLong nanos = new AtomicLong(-TimeUnit.HOURS.toNanos(5)); // nanoTime's origin is arbitrary: it may be negative
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger readsWanted = new AtomicInteger(Integer.MAX_VALUE);
    Promise<Void> watched = Promise.promise();
    LongSupplier clock = () -> {
      long now = nanos.get();
      if (reads.incrementAndGet() >= readsWanted.get()) {
        watched.tryComplete(); // the watchdog looked at the clock, each time a timeout of real time later
      }
      return now;
    };
    HttpServer server = vertx.createHttpServer()
      .requestHandler(req -> req.body().onSuccess(b -> readsWanted.set(reads.get() + 3))) // and no answer
      .listen(0, "127.0.0.1").await();
    HttpSyncTransport transport = new HttpSyncTransport(vertx, new SyncOptions()
      .setUrl("http://127.0.0.1:" + server.actualPort() + "/sync").setRequestTimeoutMs(TIMEOUT_MS), clock);
    AtomicBoolean moved = new AtomicBoolean();
    watched.future().onSuccess(v -> {
      moved.set(true);
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
    });
    Future<SyncResponse> exchange = transport.exchange(new SyncRequest("n", null, List.of(), 10, false));
    exchange.onComplete(ar -> test.verify(() -> {
      assertTrue(moved.get(), "cut though no time passed on the monotonic clock: " + ar.cause());
      assertTrue(ar.failed() && ar.cause().getMessage().startsWith("no progress for " + TIMEOUT_MS + " ms"), String.valueOf(ar.cause()));
      test.completeNow();
    }));
  }
}

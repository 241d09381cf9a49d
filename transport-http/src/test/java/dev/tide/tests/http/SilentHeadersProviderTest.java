package dev.tide.tests.http;

import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A headers provider whose future never completes (a token endpoint that hangs) is part of an exchange:
 * it must not hold the exchange for ever. Before, the sync in flight never ended, so no sync ever ran
 * again, and {@code close()} waited for it for ever.
 */
class SilentHeadersProviderTest extends SyncFixtureTest {

  @Test
  @Timeout(30)
  void anExchangeWaitsForHeadersNoLongerThanTheRequestTimeout() throws Exception {
    fx.startServer();
    AtomicInteger calls = new AtomicInteger();
    Tide a = fx.client("a", s -> s.setRequestTimeoutMs(2_000).setHeadersProvider(() ->
      calls.incrementAndGet() == 1 ? Promise.<Map<String, String>>promise().future() : Future.succeededFuture(Map.of())));
    a.collection("notes").put("x", new JsonObject()).await();
    CompletionException e = assertThrows(CompletionException.class,
      () -> a.syncOnce().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertInstanceOf(SyncUnreachableException.class, e.getCause(), String.valueOf(e.getCause()));
    a.syncOnce().await(); // the next sync gets its headers and gets through
    assertEquals(0L, a.pendingCount().await());
  }

  @Test
  @Timeout(30)
  void closeDoesNotWaitForAProviderThatNeverAnswers() throws Exception {
    fx.startServer();
    Tide a = fx.client("a", s -> s.setRequestTimeoutMs(600_000)
      .setHeadersProvider(() -> Promise.<Map<String, String>>promise().future()));
    Future<?> sync = a.syncOnce();
    a.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThrows(Exception.class, () -> sync.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }
}

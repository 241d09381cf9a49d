package dev.tide.tests.websocket;

import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A header from the {@link dev.tide.core.HeadersProvider} that HTTP cannot carry fails that sync with an
 * {@link IllegalArgumentException} naming it, on both transports. Over WebSocket, an empty name left the
 * sync waiting for good (Vert.x failed the connection, not the upgrade's future); over HTTP, such a header
 * was reported as an unreachable server.
 */
class SuppliedHeaderCheckTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  @Timeout(60)
  void aHeaderHttpCannotCarryFailsTheSyncNamingIt(String transport) {
    fx.startServer();
    AtomicBoolean bad = new AtomicBoolean(true);
    Tide tide = fx.client("c", s -> s.setTransport(transport).setRequestTimeoutMs(5_000).setHeadersProvider(() ->
      Future.succeededFuture(bad.get() ? Map.of("", "v") : Map.of("X-Token", "t"))));
    tide.collection("notes").put("n", new JsonObject()).await();
    CompletionException e = assertThrows(CompletionException.class,
      () -> tide.syncOnce().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join());
    Throwable cause = e.getCause();
    while (cause != null && !(cause instanceof IllegalArgumentException)) {
      cause = cause.getCause();
    }
    assertInstanceOf(IllegalArgumentException.class, cause, String.valueOf(e.getCause()));
    assertTrue(cause.getMessage().contains("header"), cause.getMessage());
    bad.set(false);
    // the next headers are fine (over WebSocket, once the reconnect backoff allows): nothing was lost
    await().atMost(30, TimeUnit.SECONDS).until(() -> tide.syncOnce().otherwise((SyncResult) null).await() != null);
    assertEquals(0L, tide.pendingCount().await());
  }

  /**
   * A provider that returns no future (null, or throws) fails that sync as unreachable, naming the provider,
   * on both transports, and the next sync goes through. Over HTTP, a null future threw out of the exchange.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  @Timeout(60)
  void aProviderThatReturnsNoFutureFailsTheSync(String transport) {
    fx.startServer();
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    Tide tide = fx.client("c", s -> s.setTransport(transport).setRequestTimeoutMs(5_000).setHeadersProvider(() -> {
      int call = calls.incrementAndGet();
      if (call == 1) {
        return null;
      }
      if (call == 2) {
        throw new IllegalStateException("no token yet");
      }
      return Future.succeededFuture(Map.of("X-Token", "t"));
    }));
    tide.collection("notes").put("n", new JsonObject()).await();
    for (String expected : new String[] {"headers provider", "no token yet"}) {
      CompletionException e = assertThrows(CompletionException.class,
        () -> tide.syncOnce().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join());
      assertInstanceOf(dev.tide.core.SyncUnreachableException.class, e.getCause(), String.valueOf(e.getCause()));
      assertTrue(e.getCause().getMessage().contains(expected), e.getCause().getMessage());
    }
    await().atMost(30, TimeUnit.SECONDS).until(() -> tide.syncOnce().otherwise((SyncResult) null).await() != null);
    assertEquals(0L, tide.pendingCount().await());
  }
}

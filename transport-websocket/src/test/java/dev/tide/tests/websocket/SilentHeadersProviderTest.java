package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A headers provider whose future never completes (a token endpoint that hangs) must not hold the
 * connection, and the exchange waiting for it, for ever: it fails after the request timeout, and
 * {@code close()} ends it at once.
 */
@ExtendWith(VertxExtension.class)
class SilentHeadersProviderTest extends FakeServerFixture {

  int fakeServer(Vertx vertx) {
    HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
      connections.incrementAndGet();
      ws.writeTextMessage(HELLO);
      ws.textMessageHandler(t -> ws.writeTextMessage(MalformedServerFramesTest.goodResult(new JsonObject(t).getValue("id"), new JsonObject(t))));
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  Tide client(Vertx vertx, int port, long requestTimeoutMs, boolean answerLater) {
    int[] calls = {0};
    return Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("c.db").toString()).setAddressPrefix("c")
      .setSync(options(port).setTransport("websocket").setRequestTimeoutMs(requestTimeoutMs).setHeadersProvider(() ->
        ++calls[0] == 1 || !answerLater ? Promise.<Map<String, String>>promise().future() : Future.succeededFuture(Map.of()))))
      .await();
  }

  @Test
  @Timeout(30)
  void aConnectionWaitsForHeadersNoLongerThanTheRequestTimeout(Vertx vertx) {
    Tide c = client(vertx, fakeServer(vertx), 2_000, true);
    cleanup.add(() -> c.close().await());
    assertThrows(Exception.class, () -> c.syncOnce().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    c.syncOnce().await(); // the next connection gets its headers and gets through
    assertEquals(1, connections.get());
  }

  @Test
  @Timeout(30)
  void closeDoesNotWaitForAProviderThatNeverAnswers(Vertx vertx) throws Exception {
    Tide c = client(vertx, fakeServer(vertx), 600_000, false);
    Future<?> sync = c.syncOnce();
    c.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThrows(Exception.class, () -> sync.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }
}

package dev.tide.tests.websocket;

import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server whose hello (PROTOCOL.md section 6: its first frame) never comes on a connection: the client
 * must not send requests on that socket (it does not know the server's limits, nor that it speaks the
 * protocol), must close it, and must use a fresh connection next.
 */
@ExtendWith(VertxExtension.class)
class MissingHelloTest extends FakeServerFixture {

  /** Requests the fake server received on a connection it sent no hello on. */
  final AtomicInteger requestsWithoutHello = new AtomicInteger();
  final Promise<Void> silentSocketClosed = Promise.promise();

  /** The first connection gets no hello; later ones get it, and each sync frame gets a valid result. */
  int fakeServer(Vertx vertx) {
    HttpServer server = vertx.createHttpServer().webSocketHandler((ServerWebSocket ws) -> {
      boolean silent = connections.incrementAndGet() == 1;
      if (silent) {
        ws.closeHandler(v -> silentSocketClosed.tryComplete());
      } else {
        ws.writeTextMessage(HELLO);
      }
      ws.textMessageHandler(t -> {
        if (silent) {
          requestsWithoutHello.incrementAndGet(); // left unanswered, as a server that is not ready
        } else {
          ws.writeTextMessage(ServerFrameLimitsTest.result(new JsonObject(t), 0));
        }
      });
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  @Test
  void aConnectionWithoutHelloIsClosedAndNeverUsed(Vertx vertx) throws Exception {
    int port = fakeServer(vertx);
    Tide c = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("c.db").toString()).setAddressPrefix("c")
      .setSync(options(port).setTransport("websocket").setRequestTimeoutMs(500))).await();
    cleanup.add(() -> c.close().await());
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();

    Exception e = assertThrows(Exception.class, () -> c.syncOnce().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertTrue(String.valueOf(e.getCause()).contains("hello"), String.valueOf(e.getCause()));
    silentSocketClosed.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

    SyncResult next = c.syncOnce().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(1, next.pushed());
    assertEquals(2, connections.get());
    assertEquals(0, requestsWithoutHello.get());
  }
}

package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server that accepts every WebSocket and sends its hello, but closes the socket as soon as a request
 * comes (an overloaded server closing with 1013 "try again later", a proxy whose upstream is gone). No
 * request ever gets an answer, so the client must back off (PROTOCOL.md section 6, "Reconnect": after
 * any close, exponential backoff) instead of reconnecting and asking again at once, for ever.
 */
@ExtendWith(VertxExtension.class)
class ClosingServerTest extends FakeServerFixture {

  int closingServer(Vertx vertx, boolean atOnce) {
    HttpServer server = vertx.createHttpServer().webSocketHandler((ServerWebSocket ws) -> {
      connections.incrementAndGet();
      ws.writeTextMessage(HELLO);
      if (atOnce) {
        ws.close((short) 1013, "try again later");
      } else {
        ws.textMessageHandler(t -> ws.close((short) 1013, "try again later"));
      }
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  @Test
  void aServerThatClosesEveryRequestsSocketIsRetriedWithBackoff(Vertx vertx) {
    Tide c = client(vertx, closingServer(vertx, false));
    assertReconnectsBackOff(vertx, c);
  }

  @Test
  void aServerThatClosesRightAfterItsHelloIsRetriedWithBackoff(Vertx vertx) {
    Tide c = client(vertx, closingServer(vertx, true));
    assertReconnectsBackOff(vertx, c);
  }
}

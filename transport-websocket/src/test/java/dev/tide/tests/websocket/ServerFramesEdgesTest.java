package dev.tide.tests.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.spi.PushedChanges;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Well-formed frames the strict reader must take (PROTOCOL.md section 6): an error frame with id null and
 * nothing in flight is ignored, with two in flight it answers the oldest, unknown fields are ignored.
 */
@ExtendWith(VertxExtension.class)
class ServerFramesEdgesTest {

  final List<Runnable> cleanup = new ArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  volatile ServerWebSocket latest;

  @AfterEach
  void tearDown() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).run();
    }
  }

  static String goodResult(Object id) {
    return new JsonObject().put("type", "result").put("id", id).put("response", new JsonObject().put("cursor", "c1")
      .put("changes", new JsonArray()).put("more", false).put("results", new JsonArray()).put("remaining", 0)).encode();
  }

  interface Answer {
    String answer(int n, JsonObject sync);
  }

  int fakeServer(Vertx vertx, String hello, Answer answer) {
    AtomicInteger syncs = new AtomicInteger();
    HttpServer server = vertx.createHttpServer().webSocketHandler((ServerWebSocket ws) -> {
      connections.incrementAndGet();
      latest = ws;
      ws.writeTextMessage(hello);
      ws.textMessageHandler(t -> {
        String reply = answer.answer(syncs.incrementAndGet(), new JsonObject(t));
        if (reply != null) {
          for (String frame : reply.split("\n")) {
            ws.writeTextMessage(frame);
          }
        }
      });
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  SyncOptions options(int port) {
    return new SyncOptions().setUrl("http://127.0.0.1:" + port + "/sync").setRequestTimeoutMs(60_000)
      .setBackoffInitialMs(50).setBackoffMaxMs(5_000).setIntervalMs(60_000);
  }

  static final SyncRequest PULL = new SyncRequest("n", null, List.of(), 10, false);
  static final String HELLO = "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":1048576}";

  @Test
  void aNullIdErrorWithNothingInFlightIsIgnored(Vertx vertx) throws Exception {
    int port = fakeServer(vertx, HELLO, (n, sync) -> goodResult(sync.getValue("id"))
      + "\n{\"type\":\"error\",\"id\":null,\"status\":429,\"error\":{\"code\":\"busy\",\"message\":\"m\"}}");
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    assertEquals(1, connections.get());
  }

  @Test
  void aNullIdErrorAnswersTheOldestOfTwo(Vertx vertx) throws Exception {
    List<Object> ids = new CopyOnWriteArrayList<>();
    int port = fakeServer(vertx, HELLO, (n, sync) -> {
      ids.add(sync.getValue("id"));
      return n == 2 ? "{\"type\":\"error\",\"id\":null,\"status\":429,\"error\":{\"code\":\"busy\",\"message\":\"m\"}}"
        : goodResult(sync.getValue("id"));
    });
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    Future<SyncResponse> a = t.exchange(PULL);
    Future<SyncResponse> b = t.exchange(PULL);
    b.await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(a::isComplete);
    assertEquals(1, connections.get());
  }

  @Test
  void pushWithMoreAndExtraFields(Vertx vertx) throws Exception {
    int port = fakeServer(vertx, "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":1048576,\"x\":{\"y\":[1]}}",
      (n, sync) -> goodResult(sync.getValue("id")));
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    List<PushedChanges> pushes = new CopyOnWriteArrayList<>();
    t.pushHandler(pushes::add);
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    latest.writeTextMessage("{\"type\":\"changes\",\"from\":\"c1\",\"cursor\":\"c2\",\"changes\":[],\"more\":true,\"extra\":1}").await();
    await().atMost(Duration.ofSeconds(10)).until(() -> pushes.size() == 1);
    assertEquals(1, connections.get());
  }
}

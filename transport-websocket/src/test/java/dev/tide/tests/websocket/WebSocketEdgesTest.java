package dev.tide.tests.websocket;

import dev.tide.core.Change;
import dev.tide.core.SyncException;
import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class WebSocketEdgesTest {

  @TempDir
  Path dir;
  SyncFixture fx;
  List<Tide> clients = new ArrayList<>();
  WebSocketClient raw;

  @BeforeEach
  void setUp(Vertx vertx) {
    fx = new SyncFixture(vertx, dir);
    raw = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20).setClosingTimeout(1));
  }

  @AfterEach
  void tearDown() {
    clients.forEach(c -> c.close().await());
    raw.close().await();
    fx.stopServer();
  }

  /** A raw socket whose frames are queued, handlers set on its own context as soon as it opens. */
  static final class RawSocket {
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final Promise<Short> closed = Promise.promise();
    WebSocket ws;

    JsonObject next() throws InterruptedException {
      JsonObject f = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(f, "no frame within 10 s");
      return f;
    }
  }

  RawSocket connect(WebSocketConnectOptions options) {
    RawSocket s = new RawSocket();
    // connect and set the handlers in one event-loop task: the server's hello cannot arrive in between
    Promise<WebSocket> opened = Promise.promise();
    fx.vertx.getOrCreateContext().runOnContext(x -> raw.connect(options).onSuccess(ws -> {
      ws.textMessageHandler(t -> s.frames.add(new JsonObject(t)));
      ws.closeHandler(v -> s.closed.tryComplete(ws.closeStatusCode()));
    }).onComplete(opened));
    s.ws = opened.future().await();
    return s;
  }

  WebSocketConnectOptions at(String path) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(fx.port()).setURI(path);
  }

  /** A frame refused for its type is answered in turn: after the request sent before it (PROTOCOL.md §6). */
  @Test
  void refusalsAreAnsweredInOrder(Vertx vertx) throws Exception {
    Promise<Void> reached = Promise.promise();
    Promise<Void> gate = Promise.promise();
    fx.startServer(new dev.tide.server.TideServerOptions(), null, store -> new dev.tide.server.spi.ForwardingServerStore(store) {
      @Override
      public io.vertx.core.Future<List<dev.tide.core.OpResult>> push(String ns, List<dev.tide.core.Change> ops) {
        reached.tryComplete();
        return gate.future().compose(v -> delegate.push(ns, ops)); // holds the first request in flight
      }
    });
    RawSocket s = connect(at("/sync/ws"));
    assertEquals("hello", s.next().getString("type"));
    s.ws.writeTextMessage("{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null}}").await();
    reached.future().await();
    s.ws.writeTextMessage("{\"type\":\"nope\",\"id\":2}").await();
    s.ws.writeTextMessage("{\"type\":\"sync\",\"id\":3,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null}}").await();
    assertNull(s.frames.poll(200, TimeUnit.MILLISECONDS), "nothing is answered before request 1");
    gate.complete();
    JsonObject first = s.next();
    assertEquals("result", first.getString("type"));
    assertEquals(1, first.getInteger("id"));
    JsonObject second = s.next();
    assertEquals("error", second.getString("type"));
    assertEquals(2, second.getInteger("id"));
    assertEquals(3, s.next().getInteger("id"));
  }

  @Test
  void malformedFramesGetErrorFramesAndTheServerStaysUp(Vertx vertx) throws Exception {
    fx.startServer();
    RawSocket s = connect(at("/sync/ws"));
    assertEquals("hello", s.next().getString("type"));

    s.ws.writeTextMessage("not json {").await();
    JsonObject e = s.next();
    assertEquals("error", e.getString("type"));
    assertNull(e.getValue("id"));
    assertEquals("invalid_json", e.getJsonObject("error").getString("code"));

    s.ws.writeTextMessage("{\"type\":\"nope\",\"id\":1}").await();
    e = s.next();
    assertEquals(1, e.getInteger("id"));
    assertEquals("type", e.getJsonObject("error").getString("field"));

    s.ws.writeTextMessage("{\"type\":\"sync\",\"id\":2,\"request\":{\"protocol\":1}}").await();
    e = s.next();
    assertEquals(400, e.getInteger("status"));
    assertEquals("node_id", e.getJsonObject("error").getString("field"));

    s.ws.writeTextMessage("{\"type\":\"sync\",\"id\":3,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":\"bad\"}}").await();
    assertEquals("invalid_cursor", s.next().getJsonObject("error").getString("code"));

    s.ws.writeTextMessage("{\"type\":\"sync\",\"id\":\"x4\",\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null}}").await();
    JsonObject ok = s.next();
    assertEquals("result", ok.getString("type"));
    assertEquals("x4", ok.getString("id"));
    assertNotNull(ok.getJsonObject("response").getString("cursor"));

    s.ws.writeBinaryMessage(Buffer.buffer(new byte[]{1, 2, 3})).await();
    assertEquals((short) 1003, s.closed.future().await(), "binary frames are refused with a reason");

    assertEquals(200, WebClient.create(vertx).get(fx.port(), "127.0.0.1", "/health").send().await().statusCode());
    assertEquals(426, WebClient.create(vertx).get(fx.port(), "127.0.0.1", "/sync/ws").send().await().statusCode());
  }

  /** A server that answers a request with a result frame but no response: the request fails, it does not hang. */
  @Test
  void aResultWithoutAResponseFailsTheRequest(Vertx vertx) throws Exception {
    io.vertx.core.http.HttpServer fake = vertx.createHttpServer().webSocketHandler(ws -> {
      ws.writeTextMessage(new JsonObject().put("type", "hello").put("protocol", 1).put("maxMessageBytes", 1 << 20).encode());
      ws.textMessageHandler(t -> ws.writeTextMessage(new JsonObject().put("type", "result")
        .put("id", new JsonObject(t).getValue("id")).encode()));
    }).listen(0, "127.0.0.1").await();
    try {
      Tide c = fx.client("c", s -> s.setTransport("websocket").setUrl(SyncFixture.url(fake.actualPort())).setRequestTimeoutMs(60_000));
      java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
        () -> c.syncOnce().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertNotNull(e.getCause());
    } finally {
      fake.close().await();
    }
  }

  @Test
  void anUnauthenticatedUpgradeIsRefused() {
    fx.startServer(new TideServerOptions(), h -> "Bearer ok".equals(h.get("Authorization"))
      ? Future.succeededFuture("u") : Future.failedFuture("bad token"), null);
    UpgradeRejectedException e = assertThrows(UpgradeRejectedException.class, () -> raw.connect(at("/sync/ws")).await());
    assertEquals(401, e.getStatus());
    assertEquals("unauthorized", new JsonObject(e.getBody()).getJsonObject("error").getString("code"));

    Tide bad = fx.client("bad", s -> s.setTransport("websocket").addHeader("Authorization", "Bearer nope"));
    clients.add(bad);
    SyncException se = assertInstanceOf(SyncException.class, assertThrows(RuntimeException.class, () -> bad.syncOnce().await()));
    assertEquals(401, se.status());
    assertEquals(SyncStatus.State.UNAUTHORIZED, bad.syncStatus().await().state());

    Tide good = fx.client("good", s -> s.setTransport("websocket").addHeader("Authorization", "Bearer ok"));
    clients.add(good);
    good.collection("notes").put("x", new JsonObject()).await();
    assertEquals(1, good.syncOnce().await().pushed());
  }

  @Test
  void aStalledClientDoesNotHoldUpAHealthyOne(Vertx vertx) throws Exception {
    fx.startServer(new TideServerOptions().setWsSlowClientSeconds(1), null, null);
    TideServerImpl server = (TideServerImpl) fx.server;
    // the stalled client registers its position, then stops reading
    RawSocket stalled = connect(at("/sync/ws"));
    stalled.next();
    stalled.ws.writeTextMessage("{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"stalled\",\"cursor\":null}}").await();
    assertEquals("result", stalled.next().getString("type"));
    stalled.ws.pause();

    Tide a = fx.client("a", s -> s.setTransport("websocket"));
    Tide b = fx.client("b", s -> s.setTransport("websocket").setIntervalMs(3_600_000));
    clients.add(a);
    clients.add(b);
    b.startSync().await();
    b.initialSync().await();
    a.startSync().await();
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    String blob = "x".repeat(40_000);
    for (int k = 0; k < 10; k++) {
      int base = k * 40;
      a.batch(batch -> {
        for (int i = base; i < base + 40; i++) {
          batch.put("notes", "big" + i, new JsonObject().put("i", i).put("blob", blob));
        }
      }).await();
    }
    await().until(() -> seen.size() == 400); // 16 MB pushed to B while the stalled socket's buffers are full
    await().until(() -> server.webSocketConnections() == 2); // the stalled client was cut off
    stalled.ws.resume();
  }

  /**
   * A graceful stop closes a socket once the push in flight on it is sent, as it does once an answer in
   * flight is sent: it does not keep the socket open, and the stop waiting, for the whole grace period.
   */
  @Test
  void aGracefulStopClosesASocketOnceItsPushInFlightIsSent(Vertx vertx) throws Exception {
    Promise<Void> exchangeHeld = Promise.promise();
    Promise<Void> releaseExchange = Promise.promise();
    Promise<Void> pushHeld = Promise.promise();
    Promise<Void> releasePush = Promise.promise();
    fx.startServer(new TideServerOptions(), null, store -> new dev.tide.server.spi.ForwardingServerStore(store) {
      @Override
      public Future<List<dev.tide.core.OpResult>> push(String ns, List<dev.tide.core.Change> ops) {
        if (!ops.isEmpty() && "r".equals(ops.get(0).stamp().node()) && exchangeHeld.tryComplete()) {
          return releaseExchange.future().compose(v -> delegate.push(ns, ops)); // r's exchange stays in flight
        }
        return delegate.push(ns, ops);
      }

      @Override
      public Future<dev.tide.server.spi.PullPage> pull(String ns, long afterSeq, String excludeNode, int limit, int maxBytes) {
        if ("r".equals(excludeNode) && limit == TideServerOptions.DEFAULT_LIMIT && pushHeld.tryComplete()) {
          return releasePush.future().compose(v -> delegate.pull(ns, afterSeq, excludeNode, limit, maxBytes)); // r's own push
        }
        return delegate.pull(ns, afterSeq, excludeNode, limit, maxBytes);
      }
    });
    TideServerImpl server = (TideServerImpl) fx.server;
    RawSocket r = connect(at("/sync/ws"));
    r.next();
    r.ws.writeTextMessage("{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null,\"limit\":5}}").await();
    String cursor = r.next().getJsonObject("response").getString("cursor");
    RawSocket idle = connect(at("/sync/ws"));
    idle.next();
    idle.ws.writeTextMessage("{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"idle\",\"cursor\":null}}").await();
    assertEquals("result", idle.next().getString("type"));

    // r's exchange is in flight while two changes commit: its connection is told to push after it
    r.ws.writeTextMessage("{\"type\":\"sync\",\"id\":2,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":\"" + cursor
      + "\",\"limit\":1,\"ops\":[{\"collection\":\"notes\",\"id\":\"mine\",\"stamp\":{\"counter\":1,\"node\":\"r\"},\"doc\":{}}]}}").await();
    exchangeHeld.future().await();
    Tide a = fx.client("a");
    clients.add(a);
    a.batch(b -> {
      b.put("notes", "x", new JsonObject());
      b.put("notes", "y", new JsonObject());
    }).await();
    a.syncOnce().await();
    assertEquals("changes", idle.next().getString("type")); // the commit's fan-out ran (r, busy, was signalled)
    releaseExchange.complete();
    assertEquals("result", r.next().getString("type")); // a page of one: more is due, so r's connection pushes
    pushHeld.future().await();

    fx.http.shutdown(60, TimeUnit.SECONDS); // graceful: idle sockets close now, busy ones once their frame is sent
    assertEquals((short) 1001, idle.closed.future().await());
    releasePush.complete();
    assertEquals("changes", r.next().getString("type"));
    Promise<Short> closedSoon = Promise.promise();
    vertx.setTimer(5_000, t -> closedSoon.tryFail("r's socket still open 5 s into a 60 s grace period"));
    r.closed.future().onComplete(closedSoon);
    assertEquals((short) 1001, closedSoon.future().await());
    assertEquals(0, server.webSocketConnections());
  }

  /** A client that asks and never reads gets nothing more queued once its socket is full, and is cut off. */
  @Test
  void aClientThatNeverReadsItsAnswersIsCutOff(Vertx vertx) throws Exception {
    fx.startServer(new TideServerOptions().setWsSlowClientSeconds(1), null, null);
    TideServerImpl server = (TideServerImpl) fx.server;
    seedServer(1000); // a pull from the start is now a page of ~0.6 MB

    RawSocket reader = connect(at("/sync/ws"));
    reader.next();
    reader.ws.pause(); // reads nothing from here on
    for (int i = 1; i <= 100; i++) { // 100 small requests would make 60 MB of answers
      reader.ws.writeTextMessage("{\"type\":\"sync\",\"id\":" + i
        + ",\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null}}");
    }
    await().until(() -> server.webSocketConnections() == 0); // its socket stayed full past wsSlowClientSeconds
    reader.ws.resume();
  }

  /** WebSocket messages are held against maxBufferedBodyBytes, the budget HTTP bodies share. */
  @Test
  void webSocketMessagesShareTheServersBodyBudget(Vertx vertx) throws Exception {
    fx.startServer(new TideServerOptions().setMaxBufferedBodyBytes(1 << 20), null, null);
    TideServerImpl server = (TideServerImpl) fx.server;
    String request = "{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"p\",\"cursor\":null},\"pad\":\"";
    RawSocket holder = connect(at("/sync/ws"));
    holder.next();
    writeUnfinished(holder, request + "x".repeat(900_000));
    await().until(() -> server.bufferedRequestBytes() > 900_000); // a message in progress holds its bytes

    RawSocket other = connect(at("/sync/ws"));
    other.next();
    other.ws.writeTextMessage(request + "y".repeat(200_000) + "\"}").await();
    JsonObject refused = other.next();
    assertEquals("error", refused.getString("type"));
    assertEquals(429, refused.getInteger("status"));
    assertEquals("busy", refused.getJsonObject("error").getString("code"));
    assertEquals(429, WebClient.create(vertx).post(fx.port(), "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer("{" + " ".repeat(200_000) + "}")).await().statusCode(), "HTTP bodies share the budget");

    holder.ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"}"), true)).await();
    assertEquals("result", holder.next().getString("type"));
    await().until(() -> server.bufferedRequestBytes() == 0); // released once answered
    other.ws.writeTextMessage(request + "y".repeat(200_000) + "\"}").await();
    assertEquals("result", other.next().getString("type"));

    // a socket that closes in the middle of a message gives its bytes back
    writeUnfinished(holder, request + "x".repeat(500_000));
    await().until(() -> server.bufferedRequestBytes() > 0);
    holder.ws.close().await();
    await().until(() -> server.bufferedRequestBytes() == 0);
  }

  /** Sockets closed with a request in flight, one queued and a third half sent give every byte back. */
  @Test
  void socketsClosedMidRequestsGiveBackTheirBytes(Vertx vertx) throws Exception {
    fx.startServer();
    TideServerImpl server = (TideServerImpl) fx.server;
    seedServer(2000);
    String pull = "{\"type\":\"sync\",\"id\":1,\"request\":{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null,"
      + "\"limit\":5000},\"pad\":\"" + "p".repeat(50_000) + "\"}";
    for (int round = 0; round < 20; round++) {
      RawSocket s = connect(at("/sync/ws"));
      s.next();
      s.ws.writeTextMessage(pull);
      s.ws.writeTextMessage(pull);
      writeUnfinished(s, pull.substring(0, 40_000));
      if (round % 2 == 0) {
        s.ws.close();
      } else {
        s.ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer("b"), true)); // the server closes it (1003)
      }
    }
    await().until(() -> server.webSocketConnections() == 0);
    await().until(() -> server.bufferedRequestBytes() == 0);
  }

  /** Puts {@code docs} documents of ~500 bytes on the server, through a client. */
  private void seedServer(int docs) {
    Tide seed = fx.client("seed");
    clients.add(seed);
    String blob = "x".repeat(500);
    seed.batch(b -> {
      for (int i = 0; i < docs; i++) {
        b.put("notes", "d" + i, new JsonObject().put("blob", blob));
      }
    }).await();
    seed.syncOnce().await();
  }

  /** The start of a text message, in frames within the server's 64 KiB frame limit, without its last frame. */
  private static void writeUnfinished(RawSocket s, String text) {
    int step = 60_000;
    for (int at = 0; at < text.length(); at += step) {
      Buffer part = Buffer.buffer(text.substring(at, Math.min(text.length(), at + step)));
      s.ws.writeFrame(at == 0 ? WebSocketFrame.textFrame(part.toString(), false) : WebSocketFrame.continuationFrame(part, false)).await();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void anOpTooLargeForTheServerIsRejectedAloneAndNeverBlocksTheOutbox(String transport) {
    fx.startServer(new TideServerOptions().setMaxBodyBytes(256 * 1024), null, null);
    Tide a = fx.client("a", s -> s.setTransport(transport));
    clients.add(a);
    a.collection("notes").put("small1", new JsonObject()).await();
    a.collection("notes").put("huge", new JsonObject().put("s", "x".repeat(600_000))).await();
    a.collection("notes").put("small2", new JsonObject()).await();
    dev.tide.core.SyncResult r = a.syncOnce().await();
    assertEquals(1, r.rejected());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(java.util.Set.of("notes/small1", "notes/small2"), fx.serverState().keySet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void theSameAppCodeWorksWithEitherTransport(String transport) {
    fx.startServer();
    Tide a = fx.client("a", s -> s.setTransport(transport));
    Tide b = fx.client("b", s -> s.setTransport(transport));
    clients.add(a);
    clients.add(b);
    a.collection("notes").put("same", new JsonObject().put("by", "a")).await();
    b.collection("notes").put("same", new JsonObject().put("by", "b")).await();
    b.collection("notes").put("onlyB", new JsonObject()).await();
    a.syncOnce().await();
    b.syncOnce().await();
    a.syncOnce().await();
    assertEquals(fx.serverState(), fx.clientState("a"));
    assertEquals(fx.serverState(), fx.clientState("b"));
    assertTrue(fx.serverState().containsKey("notes/onlyB"));
  }
}

package dev.tide.tests.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.SyncTransport;
import dev.tide.transport.http.HttpSyncTransport;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server whose frames break PROTOCOL.md section 6: nothing of such a frame is applied, what is in
 * flight fails at once with {@code 502 protocol_error} (as a malformed HTTP body does), and the client
 * reconnects and syncs once the server answers properly.
 */
@ExtendWith(VertxExtension.class)
class MalformedServerFramesTest extends FakeServerFixture {

  static final String CHANGE = "{\"collection\":\"c\",\"id\":\"x\",\"stamp\":{\"counter\":5,\"node\":\"other\"},\"doc\":{\"v\":1}}";

  volatile ServerWebSocket latest;
  final List<String> frames = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A valid answer to a sync frame: cursor c1, no changes, every op applied. */
  static String goodResult(Object id, JsonObject sync) {
    JsonArray results = new JsonArray();
    sync.getJsonObject("request").getJsonArray("ops", new JsonArray()).forEach(op -> results.add("applied"));
    return new JsonObject().put("type", "result").put("id", id).put("response", new JsonObject().put("cursor", "c1")
      .put("changes", new JsonArray()).put("more", false).put("results", results).put("remaining", 0)).encode();
  }

  /** A server that sends {@code hello} (or its replacement) and answers each sync frame with {@code answer(n, frame)}. */
  int fakeServer(Vertx vertx, String hello, BiFunction<Integer, JsonObject, String> answer) {
    AtomicInteger syncs = new AtomicInteger();
    HttpServer server = vertx.createHttpServer().webSocketHandler((ServerWebSocket ws) -> {
      connections.incrementAndGet();
      latest = ws;
      ws.writeTextMessage(hello);
      ws.textMessageHandler(t -> {
        frames.add(t.length() > 200 ? t.substring(0, 200) : t);
        String reply = answer.apply(syncs.incrementAndGet(), new JsonObject(t));
        for (String frame : reply.split("\n")) { // several frames, one a line
          ws.writeTextMessage(frame);
        }
      });
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  static SyncException protocolError(Future<?> exchange) {
    Throwable e = assertInstanceOf(java.util.concurrent.ExecutionException.class, org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
      () -> exchange.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))).getCause();
    SyncException s = assertInstanceOf(SyncException.class, e, String.valueOf(e));
    assertEquals("protocol_error", s.code(), s.getMessage());
    assertEquals(502, s.status());
    return s;
  }

  static final SyncRequest PULL = new SyncRequest("n", null, List.of(), 10, false);

  /** Each malformed answer (ID stands for the request's id) fails the exchange at once, with what was wrong. */
  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"result\",\"id\":ID", // not JSON
    "[\"result\"]", // not an object
    "{\"id\":ID,\"response\":{}}", // no type
    "{\"type\":\"result\",\"id\":999,\"response\":{\"cursor\":\"c1\",\"changes\":[],\"more\":false,\"results\":[]}}", // no such request
    "{\"type\":\"result\",\"id\":\"ID\",\"response\":{\"cursor\":\"c1\",\"changes\":[],\"more\":false,\"results\":[]}}", // id of the wrong type
    "{\"type\":\"result\",\"id\":ID}", // no response
    "{\"type\":\"result\",\"id\":ID,\"response\":{\"changes\":[],\"more\":false,\"results\":[]}}", // response without cursor
    "{\"type\":\"result\",\"id\":ID,\"response\":{\"cursor\":\"c1\",\"changes\":{},\"results\":[]}}", // changes not an array
    "{\"type\":\"error\",\"id\":ID,\"error\":{\"code\":\"invalid_request\",\"message\":\"m\",\"field\":\"ops[0]\"}}", // no status
    "{\"type\":\"error\",\"id\":ID,\"status\":\"400\",\"error\":{\"code\":\"invalid_request\",\"message\":\"m\"}}", // status a string
    "{\"type\":\"error\",\"id\":ID,\"status\":200,\"error\":{\"code\":\"ok\",\"message\":\"m\"}}", // not an error status
    "{\"type\":\"error\",\"id\":ID,\"status\":400}", // no error object
    "{\"type\":\"error\",\"id\":999,\"status\":503,\"error\":{\"code\":\"unavailable\",\"message\":\"m\"}}", // no such request
    "{\"type\":\"changes\",\"cursor\":\"c2\",\"changes\":[]}", // no from
    "{\"type\":\"changes\",\"from\":\"c0\",\"changes\":[]}", // no cursor
    "{\"type\":\"changes\",\"from\":\"c0\",\"cursor\":\"\",\"changes\":[]}", // an empty cursor
    "{\"type\":\"changes\",\"from\":\"c0\",\"cursor\":\"c2\",\"changes\":\"none\"}", // changes not an array
    "{\"type\":\"changes\",\"from\":\"c0\",\"cursor\":\"c2\"}", // no changes
    "{\"type\":\"changes\",\"from\":\"c0\",\"cursor\":\"c2\",\"changes\":[{\"collection\":\"c\"}]}", // an invalid change
  })
  void aMalformedFrameFailsTheExchangeWithAProtocolError(String frame, Vertx vertx) {
    int port = fakeServer(vertx, HELLO, (n, sync) -> frame.replace("ID", String.valueOf(sync.getValue("id"))));
    SyncTransport transport = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> transport.close().await());
    protocolError(transport.exchange(PULL));
  }

  /** A hello the client cannot work with fails the connect: a limit of 0 would have refused every op as too large. */
  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":0}",
    "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":-5}",
    "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":\"1048576\"}",
    "{\"type\":\"hello\",\"protocol\":2,\"maxMessageBytes\":1048576}",
    "{\"type\":\"hello\",\"maxMessageBytes\":1048576}", // no protocol: accepted before
    "{\"type\":\"hello\",\"protocol\":null,\"maxMessageBytes\":1048576}",
    "{\"type\":\"hello\",\"protocol\":\"1\",\"maxMessageBytes\":1048576}",
  })
  void aMalformedHelloFailsTheConnect(String hello, Vertx vertx) {
    int port = fakeServer(vertx, hello, MalformedServerFramesTest::goodResult);
    SyncTransport transport = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> transport.close().await());
    protocolError(transport.exchange(PULL));
  }

  /**
   * A hello without {@code protocol} (PROTOCOL.md section 6 requires {@code protocol} 1): a server that does
   * not say it speaks this protocol was taken as one that does. The sync fails at once with the typed
   * protocol error, pushes nothing and keeps the write.
   */
  @Test
  void aHelloWithoutProtocolFailsTheSyncWithAProtocolError(Vertx vertx) {
    int port = fakeServer(vertx, "{\"type\":\"hello\",\"maxMessageBytes\":1048576}", MalformedServerFramesTest::goodResult);
    Tide c = client(vertx, port);
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    assertTrue(protocolError(c.syncOnce()).getMessage().contains("protocol"));
    assertTrue(frames.isEmpty(), "a request was sent: " + frames);
    assertEquals(1L, c.pendingCount().await(), "the write is still pending");
  }

  /** The same over HTTP: a 200 whose body breaks the protocol is a protocol error too. */
  @Test
  void aMalformedHttpBodyIsAProtocolErrorToo(Vertx vertx) {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b ->
      req.response().putHeader("Content-Type", "application/json").end("{\"changes\":[],\"more\":false}"))).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    SyncTransport transport = HttpSyncTransport.create(vertx, options(server.actualPort()));
    cleanup.add(() -> transport.close().await());
    assertTrue(protocolError(transport.exchange(PULL)).getMessage().contains("cursor"));
  }

  /** An error frame without a status could be taken for a 400 naming an op, which the client would drop: it keeps it. */
  @Test
  void anErrorFrameWithoutStatusDropsNoOp(Vertx vertx) {
    int port = fakeServer(vertx, HELLO, (n, sync) -> new JsonObject().put("type", "error").put("id", sync.getValue("id"))
      .put("error", new JsonObject().put("code", "invalid_request").put("message", "bad op").put("field", "ops[0]")).encode());
    Tide c = client(vertx, port);
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    protocolError(c.syncOnce());
    assertEquals(1L, c.pendingCount().await(), "the write is still pending, not dropped as rejected");
  }

  /** A pushed frame whose new cursor breaks the rules is not applied (the cursor would be stored and sent back). */
  @Test
  void aPushWithAnInvalidCursorIsNotApplied(Vertx vertx) {
    String push = "{\"type\":\"changes\",\"from\":\"c1\",\"cursor\":\"\",\"changes\":[" + CHANGE + "]}";
    int port = fakeServer(vertx, HELLO, (n, sync) -> goodResult(sync.getValue("id"), sync));
    Tide c = client(vertx, port);
    c.syncOnce().await(); // at cursor c1, idle: a push from c1 is applied at once
    latest.writeTextMessage(push).await();
    await().atMost(Duration.ofSeconds(10)).until(() -> connections.get() >= 2 || c.collection("c").get("x").await() != null);
    assertNull(c.collection("c").get("x").await(), "the pushed change was applied");
    assertEquals(2, connections.get(), "the client dropped the socket and reconnected");
  }

  /** The client goes on once the server answers properly: the first answer was malformed, the write still gets through. */
  @Test
  void theClientRecoversOnceTheServerAnswersProperly(Vertx vertx) {
    int port = fakeServer(vertx, HELLO, (n, sync) -> n == 1 ? "{\"type\":\"result\",\"id\":" + sync.getValue("id") + "}"
      : goodResult(sync.getValue("id"), sync));
    Tide c = client(vertx, port);
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    c.startSync().await();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals("0 IDLE",
      c.pendingCount().await() + " " + c.syncStatus().await().state(), c.syncStatus().await() + " connections " + connections.get() + " frames " + frames));
    assertTrue(connections.get() >= 2, "reconnected after the malformed frame");
  }

  /** A server that keeps breaking the protocol is not hammered: reconnects back off exponentially. */
  @Test
  void aServerThatKeepsBreakingTheProtocolIsRetriedLessAndLessOften(Vertx vertx) {
    int port = fakeServer(vertx, HELLO, (n, sync) -> "{\"type\":\"result\",\"id\":" + sync.getValue("id") + "}");
    Tide c = client(vertx, port);
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    assertReconnectsBackOff(vertx, c);
    assertEquals(1L, c.pendingCount().await());
  }

  // frames at the edge of the rules, which the client must take

  @Test
  void aNullIdErrorWithNothingInFlightIsIgnored(Vertx vertx) throws Exception {
    int port = fakeServer(vertx, HELLO, (n, sync) -> goodResult(sync.getValue("id"), sync)
      + "\n{\"type\":\"error\",\"id\":null,\"status\":429,\"error\":{\"code\":\"busy\",\"message\":\"m\"}}");
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    assertEquals(1, connections.get());
  }

  @Test
  void aNullIdErrorAnswersTheOldestOfTwo(Vertx vertx) throws Exception {
    List<Object> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
    int port = fakeServer(vertx, HELLO, (n, sync) -> {
      ids.add(sync.getValue("id"));
      return n == 2 ? "{\"type\":\"error\",\"id\":null,\"status\":429,\"error\":{\"code\":\"busy\",\"message\":\"m\"}}"
        : goodResult(sync.getValue("id"), sync);
    });
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    Future<SyncResponse> a = t.exchange(PULL);
    Future<SyncResponse> b = t.exchange(PULL);
    b.await(10, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(a::isComplete);
    assertEquals(1, connections.get());
  }

  @Test
  void pushWithMoreAndExtraFields(Vertx vertx) throws Exception {
    int port = fakeServer(vertx, "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":1048576,\"x\":{\"y\":[1]}}",
      (n, sync) -> goodResult(sync.getValue("id"), sync));
    WebSocketSyncTransport t = WebSocketSyncTransport.create(vertx, options(port));
    List<dev.tide.core.spi.PushedChanges> pushes = new java.util.concurrent.CopyOnWriteArrayList<>();
    t.pushHandler(pushes::add);
    cleanup.add(() -> t.close().await());
    t.exchange(PULL).await(10, TimeUnit.SECONDS);
    latest.writeTextMessage("{\"type\":\"changes\",\"from\":\"c1\",\"cursor\":\"c2\",\"changes\":[],\"more\":true,\"extra\":1}").await();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> pushes.size() == 1);
    assertEquals(1, connections.get());
  }
}

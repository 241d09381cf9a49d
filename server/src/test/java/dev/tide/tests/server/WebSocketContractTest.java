package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md §6 (WebSocket), read as a contract by a third-party client author: raw frames over TCP or a
 * plain Vert.x WebSocket; every assertion quotes the sentence it checks.
 */
@ExtendWith(VertxExtension.class)
class WebSocketContractTest extends ProtocolContractFixture {

  /**
   * §6: "Requests on one socket are answered in order, one at a time". A client that pipelines a
   * valid request and then a frame the server cannot read must get the result first.
   */
  @Test
  void unreadableFrameIsAnsweredInTurn(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    Ws ws = ws(vertx, server.port);
    JsonObject req = ServerFixture.request("pipe", null, ServerFixture.op("n", "a", 1, "pipe", new JsonObject().put("v", 1)));
    // both frames in one event-loop turn: a pipelining client
    vertx.getOrCreateContext().runOnContext(v -> {
      ws.socket.writeTextMessage(syncFrame(1, req));
      ws.socket.writeTextMessage("this is not json");
    });
    JsonObject first = ws.next();
    JsonObject second = ws.next();
    assertEquals("result", first.getString("type"), "first answer should be request 1's result, got " + first.encode()
      + " then " + second.encode());
  }

  /**
   * PROTOCOL.md §6: refusals of unreadable frames "are answered in turn too, after the requests sent before
   * the frame: a client that sends several frames at once matches an error frame with id null by its place
   * in the order". A request of >= 256 KiB is decoded on a worker; a non-UTF-8 message sent right after it
   * was refused by the message reader at once, and its error overtook the earlier request's result (a bug).
   */
  @Test
  void refusalOfNotUtf8DoesNotOvertakeALargeRequestBeforeIt(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    Raw r = raw(vertx, server.port);
    int start = handshake(r);
    byte[] big = syncFrame(1, ServerFixture.request("big", null,
      ServerFixture.op("n", "big", 1, "big", new JsonObject().put("s", "x".repeat(300_000))))).getBytes(StandardCharsets.UTF_8);
    int part = 60_000;
    for (int from = 0; from < big.length; from += part) {
      int to = Math.min(big.length, from + part);
      int opcode = (from == 0 ? 0x01 : 0x00) | (to == big.length ? 0x80 : 0);
      r.send(clientFrame(opcode, Arrays.copyOfRange(big, from, to)));
    }
    byte[] bad = syncFrame(2, ServerFixture.request("big", null)).getBytes(StandardCharsets.UTF_8);
    byte[] notUtf8 = Arrays.copyOf(bad, bad.length + 3);
    notUtf8[bad.length - 1] = ' ';
    notUtf8[bad.length] = (byte) 0xC1; // overlong: not UTF-8
    notUtf8[bad.length + 1] = (byte) 0x81;
    notUtf8[bad.length + 2] = '}';
    r.send(clientFrame(0x81, notUtf8));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<byte[]> p = new java.util.ArrayList<>();
      frames(r.bytes(), start, p);
      return p.size() >= 3 || r.closed.get();
    });
    List<byte[]> p = new java.util.ArrayList<>();
    frames(r.bytes(), start, p);
    JsonObject first = new JsonObject(new String(p.get(1), StandardCharsets.UTF_8));
    JsonObject second = new JsonObject(new String(p.get(2), StandardCharsets.UTF_8));
    assertEquals("result", first.getString("type"), "the request sent first is answered first");
    assertEquals(1, first.getInteger("id"));
    assertEquals("error", second.getString("type"));
  }

  /** hello: "maxMessageBytes ... (the largest request it accepts: its maxBodyBytes, or less if its request-memory budget is smaller)". */
  @Test
  void helloAdvertisesTheLargestRequest(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBufferedBodyBytes(100_000));
    WebSocketClient client = vertx.createWebSocketClient();
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Promise<WebSocket> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(server.port).setURI("/sync/ws")).onSuccess(s -> s.textMessageHandler(q::add)).onComplete(opened));
    opened.future().await();
    JsonObject hello = new JsonObject(q.poll(10, TimeUnit.SECONDS));
    // HTTP accepts a body the size of the budget
    String big = ServerFixture.request("h", null, ServerFixture.op("n", "big", 1, "h",
      new JsonObject().put("s", "x".repeat(90_000)))).encode();
    HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(big)).await();
    assertTrue(hello.getLong("maxMessageBytes") >= big.length() || r.statusCode() != 200,
      "hello says " + hello.getLong("maxMessageBytes") + " but a " + big.length() + "-byte request is accepted");
  }

  /** §6 Heartbeats: the server pings every third of wsIdleTimeoutSeconds and closes a silent socket with 1001. */
  @Test
  void silentSocketIsPingedThenClosedWith1001(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions().setWsIdleTimeoutSeconds(3));
    Raw r = raw(vertx, server.port);
    int start = handshake(r);
    long t0 = System.currentTimeMillis();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<byte[]> p = new java.util.ArrayList<>();
      return frames(r.bytes(), start, p).stream().anyMatch(f -> f[0] == 8);
    });
    long took = System.currentTimeMillis() - t0;
    List<byte[]> payloads = new java.util.ArrayList<>();
    List<int[]> fs = frames(r.bytes(), start, payloads);
    StringBuilder sb = new StringBuilder();
    int pings = 0;
    int code = -1;
    for (int k = 0; k < fs.size(); k++) {
      sb.append(fs.get(k)[0]).append(' ');
      if (fs.get(k)[0] == 9) pings++;
      if (fs.get(k)[0] == 8) code = ((payloads.get(k)[0] & 0xff) << 8) | (payloads.get(k)[1] & 0xff);
    }
    assertEquals(1001, code);
    assertTrue(pings >= 1, "pings before the close: " + sb);
  }

  /** §6 Memory: a message not finished within bodyTimeoutSeconds gets an error frame (408 timeout); the rest of its frames are ignored. */
  @Test
  void unfinishedMessageTimesOut(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setBodyTimeoutSeconds(1));
    Raw r = raw(vertx, server.port);
    int start = handshake(r);
    String frame = syncFrame(1, ServerFixture.request("t", null));
    byte[] all = frame.getBytes(StandardCharsets.UTF_8);
    r.send(clientFrame(0x01, java.util.Arrays.copyOfRange(all, 0, 10))); // text, not final
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<byte[]> p = new java.util.ArrayList<>();
      frames(r.bytes(), start, p);
      return p.size() >= 2; // hello + error
    });
    // the rest of the message, then a whole request: only the latter is answered
    r.send(clientFrame(0x80, java.util.Arrays.copyOfRange(all, 10, all.length)));
    r.send(clientFrame(0x81, syncFrame(2, ServerFixture.request("t", null)).getBytes(StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<byte[]> p = new java.util.ArrayList<>();
      frames(r.bytes(), start, p);
      return p.size() >= 3;
    });
    List<byte[]> p = new java.util.ArrayList<>();
    frames(r.bytes(), start, p);
    JsonObject err = new JsonObject(new String(p.get(1), StandardCharsets.UTF_8));
    assertEquals(408, err.getInteger("status"));
    assertEquals("timeout", err.getJsonObject("error").getString("code"));
    assertEquals(2, new JsonObject(new String(p.get(2), StandardCharsets.UTF_8)).getInteger("id"));
  }

  /** §6 Sizes / §8: maxBodyBytes lowered: a request over it is refused over WebSocket too (it was applied). */
  @Test
  void requestOverMaxBodyBytesOverWebSocket(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBodyBytes(1000));
    JsonObject req = ServerFixture.request("m", null, ServerFixture.op("n", "x", 1, "m", new JsonObject().put("s", "y".repeat(5000))));
    HttpResponse<Buffer> http = server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(req.toBuffer()).await();
    assertEquals(413, http.statusCode());
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame(1, req));
    // over maxMessageBytes plus the envelope: closed with 1009, which a client takes as a 413
    assertEquals((short) 1009, ws.closed.future().await(15, TimeUnit.SECONDS));
    assertTrue(server.snapshot().isEmpty(), "nothing applied");
  }

  /** §6 Push: "each frame's from is the previous position"; never the client's own writes. */
  @Test
  void pushesContinueTheCursor(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    server.sync(ServerFixture.request("other", null, ServerFixture.op("n", "pre", 1, "other", new JsonObject().put("v", 0))));
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame("first", ServerFixture.request("me", null)));
    JsonObject result = ws.next();
    assertEquals("first", result.getValue("id"));
    String cursor = result.getJsonObject("response").getString("cursor");
    StringBuilder log = new StringBuilder();
    for (int k = 0; k < 5; k++) {
      server.sync(ServerFixture.request("other", null, ServerFixture.op("n", "o" + k, 10 + k, "other", new JsonObject().put("v", k))));
      // own write over HTTP with the same node: must never be pushed back
      server.sync(ServerFixture.request("me", null, ServerFixture.op("n", "m" + k, 10 + k, "me", new JsonObject().put("v", k))));
    }
    server.sync(ServerFixture.request("other", null, ServerFixture.op("n", "last", 100, "other", new JsonObject())));
    boolean sawLast = false;
    while (!sawLast) {
      JsonObject push = ws.next();
      log.append(push.encode()).append('\n');
      assertEquals("changes", push.getString("type"));
      assertEquals(cursor, push.getString("from"), log.toString());
      cursor = push.getString("cursor");
      for (Object c : push.getJsonArray("changes")) {
        JsonObject ch = (JsonObject) c;
        assertTrue(!"me".equals(ch.getJsonObject("stamp").getString("node")), "own write pushed: " + log);
        sawLast |= "last".equals(ch.getString("id"));
      }
      assertTrue(push.getValue("more") instanceof Boolean);
    }
    // an exchange from the pushed cursor continues too
    ws.send(syncFrame(2, ServerFixture.request("me", cursor)));
    JsonObject r = ws.next();
    assertEquals("result", r.getString("type"), r.encode());
  }

  /** §6 ids: "an integer or a string of ≤ 64 chars"; echo types; unknown type with a readable id answered with it. */
  @Test
  void frameIds(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame("s".repeat(64), ServerFixture.request("i", null)));
    assertEquals("s".repeat(64), ws.next().getValue("id"));
    ws.send(syncFrame(Long.MAX_VALUE, ServerFixture.request("i", null)));
    assertEquals(Long.MAX_VALUE, ws.next().getLong("id"));
    ws.send(syncFrame(-3, ServerFixture.request("i", null)));
    assertEquals(-3, ws.next().getInteger("id"));
    ws.send(new JsonObject().put("type", "ping").put("id", 9).encode());
    JsonObject e = ws.next();
    assertEquals(9, e.getInteger("id"));
    assertEquals("error", e.getString("type"));
    ws.send(new JsonObject().put("type", "sync").put("id", 10).encode());
    e = ws.next();
    assertEquals(10, e.getInteger("id"));
    ws.send(syncFrame(11, new JsonObject().put("protocol", 2).put("node_id", "i")));
    e = ws.next();
    assertEquals("unsupported_protocol", e.getJsonObject("error").getString("code"), e.encode());
    assertEquals(11, e.getInteger("id"));
    ws.send(syncFrame(12, new JsonObject().put("protocol", 1).put("node_id", "i").put("cursor", "zz.1")));
    e = ws.next();
    assertEquals(409, e.getInteger("status"));
    assertEquals("database_changed", e.getJsonObject("error").getString("reason"));
  }

  /**
   * §6: "status and error are what POST /sync would have answered". Was a bug: a sync frame nests its request
   * one level deeper than a body, and frames were parsed with the body's nesting limit (68), so a document
   * nested 65 deep got invalid_json (no op named) over WebSocket but invalid_request on ops[0].doc over HTTP.
   */
  @Test
  void nestingIsRefusedAsOverHttp(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    Ws ws = ws(vertx, server.port);
    int id = 0;
    for (int depth : new int[] {64, 65, 66}) {
      String doc = "{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
      String request = "{\"protocol\":1,\"node_id\":\"d\",\"ops\":[{\"collection\":\"n\",\"id\":\"d" + depth
        + "\",\"stamp\":{\"counter\":1,\"node\":\"d\"},\"doc\":" + doc + "}]}";
      HttpResponse<Buffer> http = server.client.post("/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(request)).await();
      ws.send("{\"type\":\"sync\",\"id\":" + (++id) + ",\"request\":" + request + "}");
      JsonObject frame = ws.next();
      if (http.statusCode() == 200) {
        assertEquals("result", frame.getString("type"), depth + ": " + frame.encode());
      } else {
        assertEquals(http.statusCode(), frame.getInteger("status"), depth + ": " + frame.encode());
        assertEquals(http.bodyAsJsonObject().getJsonObject("error").getString("code"), frame.getJsonObject("error").getString("code"),
          depth + ": " + frame.encode());
        assertEquals(http.bodyAsJsonObject().getJsonObject("error").getString("field"), frame.getJsonObject("error").getString("field"));
      }
    }
    ws.send("{\"type\":\"sync\",\"id\":9,\"id\":9,\"request\":{\"protocol\":1,\"node_id\":\"d\"}}"); // still malformed
    assertEquals("invalid_json", ws.next().getJsonObject("error").getString("code"));
  }

  /**
   * §6: "Large messages are sent as frames of at most 16K chars"; an error frame is not a large message. Was
   * a bug: refusals quoted the value at fault whole, so a frame whose type (or a request whose protocol) was
   * a long string got it back in one error frame of that size (an HTTP error body too).
   */
  @Test
  void refusalsDoNotQuoteLongValuesWhole(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    Ws ws = ws(vertx, server.port);
    ws.send(new JsonObject().put("type", "t".repeat(200_000)).put("id", 1).encode());
    String unknownType = ws.messages.poll(15, TimeUnit.SECONDS);
    assertTrue(unknownType != null && unknownType.length() < 1024, unknownType == null ? "no answer" : unknownType.length() + " chars");
    JsonObject badProtocol = ServerFixture.request("p", null).put("protocol", "1".repeat(200_000));
    ws.send(syncFrame(2, badProtocol));
    String frame = ws.messages.poll(15, TimeUnit.SECONDS);
    assertTrue(frame != null && frame.length() < 1024, frame == null ? "no answer" : frame.length() + " chars");
    assertEquals("unsupported_protocol", new JsonObject(frame).getJsonObject("error").getString("code"));
    HttpResponse<Buffer> http = server.post(badProtocol);
    assertEquals(400, http.statusCode());
    assertTrue(http.body().length() < 1024, http.body().length() + " bytes");
  }
}

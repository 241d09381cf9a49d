package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md read as a contract by a third-party client author: the real server driven over raw HTTP
 * and raw WebSocket frames, every assertion quoting the sentence it checks.
 */
@ExtendWith(VertxExtension.class)
class ProtocolContractTest {

  @TempDir
  Path dir;
  /** Sockets and servers a test opened, closed after it (an open socket would hold the server's graceful stop). */
  private final java.util.List<Runnable> cleanups = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static ProtocolContractTest current;

  @org.junit.jupiter.api.BeforeEach
  void track() {
    current = this;
  }

  @org.junit.jupiter.api.AfterEach
  void cleanUp() {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      cleanups.get(i).run();
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A raw TCP connection: what it received so far, and whether the server closed it. */
  static final class Raw {
    final NetSocket socket;
    final Buffer received = Buffer.buffer();
    final AtomicBoolean closed = new AtomicBoolean();

    Raw(NetSocket socket) {
      this.socket = socket;
      current.cleanups.add(() -> socket.close().await());
      socket.handler(b -> {
        synchronized (received) {
          received.appendBuffer(b);
        }
      });
      socket.closeHandler(v -> closed.set(true));
    }

    String text() {
      synchronized (received) {
        return received.toString(StandardCharsets.ISO_8859_1);
      }
    }

    byte[] bytes() {
      synchronized (received) {
        return received.getBytes();
      }
    }

    void send(String s) {
      socket.write(Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1))).await();
    }

    void send(byte[] b) {
      socket.write(Buffer.buffer(b)).await();
    }

    /** Waits for one whole HTTP response (headers and a Content-Length body). */
    String response() {
      await().atMost(Duration.ofSeconds(15)).until(() -> whole(text()) != null || closed.get());
      String r = whole(text());
      return r != null ? r : text();
    }

    static String whole(String t) {
      int end = t.indexOf("\r\n\r\n");
      if (end < 0) {
        return null;
      }
      String head = t.substring(0, end);
      int len = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          len = Integer.parseInt(line.substring(15).trim());
        }
      }
      return t.length() >= end + 4 + len ? t.substring(0, end + 4 + len) : null;
    }
  }

  static Raw raw(Vertx vertx, int port) {
    NetClient net = vertx.createNetClient();
    return new Raw(net.connect(port, "127.0.0.1").await());
  }

  static String header(String response, String name) {
    for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  static int status(String response) {
    return Integer.parseInt(response.split(" ", 3)[1]);
  }

  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** A WebSocket whose text messages queue up, hello included, with its close code. */
  static final class Ws {
    final WebSocket socket;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final Promise<Short> closed = Promise.promise();

    Ws(WebSocket socket) {
      this.socket = socket;
      current.cleanups.add(() -> socket.close().await());
    }

    JsonObject next() throws InterruptedException {
      String m = messages.poll(15, TimeUnit.SECONDS);
      assertNotNull(m, "no frame from the server within 15 s");
      return new JsonObject(m);
    }

    void send(String text) {
      socket.writeTextMessage(text).await();
    }
  }

  static Ws ws(Vertx vertx, int port) throws InterruptedException {
    WebSocketClient client = vertx.createWebSocketClient();
    Promise<Ws> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(port).setURI("/sync/ws")).onSuccess(s -> {
        Ws w = new Ws(s);
        s.textMessageHandler(w.messages::add);
        s.closeHandler(v -> w.closed.tryComplete(s.closeStatusCode()));
        opened.complete(w);
      }).onFailure(opened::fail));
    Ws w = opened.future().await();
    JsonObject hello = w.next();
    assertEquals("hello", hello.getString("type"));
    return w;
  }

  static String syncFrame(Object id, JsonObject request) {
    return new JsonObject().put("type", "sync").put("id", id).put("request", request).encode();
  }

  ServerFixture start(Vertx vertx, TideServerOptions options) {
    ServerFixture server = ServerFixture.start(vertx, options.setPort(0).setDbPath(dir.resolve("c.db").toString()), null);
    cleanups.add(0, server::stop); // after the sockets
    return server;
  }

  // ---------------------------------------------------------------- WebSocket ordering

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

  // ---------------------------------------------------------------- HTTP errors without a JSON body

  /**
   * §4: requests the HTTP layer refuses before any route runs get its own answer, without the JSON body:
   * a malformed Content-Length (400), a WebSocket handshake of another version (426) or without a key (400).
   */
  @Test
  void theHttpLayersOwnRefusalsHaveNoJsonBody(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    Raw version = raw(vertx, server.port);
    version.send("GET /sync/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n");
    assertEquals(426, status(version.response()));
    Raw noKey = raw(vertx, server.port);
    noKey.send("GET /sync/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Version: 13\r\n\r\n");
    assertEquals(400, status(noKey.response()));
    Raw length = raw(vertx, server.port);
    length.send("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 12x\r\n\r\n{}");
    assertEquals(400, status(length.response()));
  }

  /** §3 step 1: the method is checked first (→ 405), then the authenticator (→ 401). */
  @Test
  void methodIsCheckedBeforeAuthentication(Vertx vertx) {
    ServerFixture server = ServerFixture.start(vertx, new TideServerOptions().setPort(0).setDbPath(dir.resolve("a.db").toString()),
      headers -> io.vertx.core.Future.failedFuture("no"));
    assertEquals(405, server.client.get("/sync").send().await().statusCode());
    assertEquals(401, server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}"))
      .await().statusCode());
  }

  // ---------------------------------------------------------------- 408 / 429 / 413

  /** §4: 408 timeout, "the server closes the connection". */
  @Test
  void slowBodyGets408AndTheConnectionCloses(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions().setBodyTimeoutSeconds(1));
    Raw r = raw(vertx, server.port);
    r.send("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"protocol\":1");
    String resp = r.response();
    assertEquals(408, status(resp));
    assertEquals("application/json", header(resp, "Content-Type"));
    assertEquals("timeout", new JsonObject(body(resp)).getJsonObject("error").getString("code"));
    await().atMost(Duration.ofSeconds(5)).until(r.closed::get);
  }

  /** §4: 429 busy "retry after Retry-After seconds", JSON body; early (announced) and mid-body (chunked). */
  @Test
  void busyHasRetryAfterAndJson(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBufferedBodyBytes(1000).setBodyTimeoutSeconds(30));
    Raw holder = raw(vertx, server.port);
    holder.send("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n"
      + " ".repeat(800));
    await().atMost(Duration.ofSeconds(5)).until(() -> ((dev.tide.server.impl.TideServerImpl) server.verticle.server()).bufferedRequestBytes() >= 800);
    Raw early = raw(vertx, server.port);
    early.send("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n");
    String resp = early.response();
    assertEquals(429, status(resp));
    assertNotNull(header(resp, "Retry-After"));
    assertEquals("busy", new JsonObject(body(resp)).getJsonObject("error").getString("code"));

    Raw chunked = raw(vertx, server.port);
    chunked.send("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      + "1f4\r\n" + " ".repeat(500) + "\r\n");
    String resp2 = chunked.response();
    assertEquals(429, status(resp2));
    assertNotNull(header(resp2, "Retry-After"));

    // WebSocket: "A message that finds it spent is dropped ... answered with {type:error,id:null,status:429,...}"
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame(3, ServerFixture.request("w", null)) + " ".repeat(400));
    JsonObject e = ws.next();
    assertEquals(429, e.getInteger("status"));
    assertEquals("busy", e.getJsonObject("error").getString("code"));
    assertTrue(e.containsKey("id") && e.getValue("id") == null);
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

  // ---------------------------------------------------------------- raw WebSocket over TCP

  /** Server frames parsed from raw bytes: opcode and payload. */
  static List<int[]> frames(byte[] b, int from, List<byte[]> payloads) {
    List<int[]> out = new java.util.ArrayList<>();
    int i = from;
    while (i + 2 <= b.length) {
      int op = b[i] & 0x0f;
      int len = b[i + 1] & 0x7f;
      int h = 2;
      if (len == 126) {
        if (i + 4 > b.length) break;
        len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        h = 4;
      } else if (len == 127) {
        if (i + 10 > b.length) break;
        len = (int) java.nio.ByteBuffer.wrap(b, i + 2, 8).getLong();
        h = 10;
      }
      if (i + h + len > b.length) break;
      out.add(new int[] {op, len});
      payloads.add(java.util.Arrays.copyOfRange(b, i + h, i + h + len));
      i += h + len;
    }
    return out;
  }

  static byte[] clientFrame(int opcodeAndFin, byte[] payload) {
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    o.write(opcodeAndFin);
    if (payload.length < 126) {
      o.write(0x80 | payload.length);
    } else {
      o.write(0x80 | 126);
      o.write(payload.length >> 8);
      o.write(payload.length & 0xff);
    }
    byte[] mask = {1, 2, 3, 4};
    o.write(mask, 0, 4);
    for (int k = 0; k < payload.length; k++) {
      o.write(payload[k] ^ mask[k % 4]);
    }
    return o.toByteArray();
  }

  static int handshake(Raw r) {
    r.send("GET /sync/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> r.text().contains("\r\n\r\n"));
    assertTrue(r.text().startsWith("HTTP/1.1 101"), r.text());
    return r.text().indexOf("\r\n\r\n") + 4;
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

  /** §6 Memory: a message not finished within bodyTimeoutSeconds "gets the same error frame" (429 busy); the rest of its frames are ignored. */
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
    assertEquals(429, err.getInteger("status"));
    assertEquals("busy", err.getJsonObject("error").getString("code"));
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

  // ---------------------------------------------------------------- push continuity

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

  // ---------------------------------------------------------------- clock bound and result shapes

  /** §1 Clock bounds and §3 results: clock_ahead is a per-op rejected result, bound from before the request. */
  @Test
  void clockAheadPerOp(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    long b = 1L << 30;
    JsonObject r = server.sync(ServerFixture.request("c", null,
      ServerFixture.op("n", "a", b, "c", new JsonObject()),
      ServerFixture.op("n", "b", b + 1, "c", new JsonObject()),
      ServerFixture.op("n", "c", 5, "c", new JsonObject())));
    JsonArray results = r.getJsonArray("results");
    assertEquals("applied", results.getValue(0));
    JsonObject rej = results.getJsonObject(1);
    assertEquals("rejected", rej.getString("status"));
    assertEquals("clock_ahead", rej.getString("code"));
    assertTrue(rej.getValue("message") instanceof String);
    assertEquals("applied", results.getValue(2));
    // next request: bound is now 2^30 + 2^30
    JsonObject r2 = server.sync(ServerFixture.request("c", r.getString("cursor"),
      ServerFixture.op("n", "d", 2 * b, "c", new JsonObject()),
      ServerFixture.op("n", "e", 2 * b + 1, "c", new JsonObject())));
    assertEquals("applied", r2.getJsonArray("results").getValue(0));
    assertTrue(r2.getJsonArray("results").getValue(1) instanceof JsonObject, r2.encode());
    // response field types
    assertTrue(r2.getValue("cursor") instanceof String);
    assertTrue(r2.getValue("changes") instanceof JsonArray);
    assertTrue(r2.getValue("more") instanceof Boolean);
    assertTrue(r2.getValue("remaining") instanceof Number);
  }

  /** §4: 414 and 431 come without the JSON body; 64 KiB of headers are accepted; a 20 KiB token reaches the route. */
  @Test
  void requestLineAndHeaderLimits(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    Raw a = raw(vertx, server.port);
    a.send("GET /health?" + "x".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    String r414 = a.response();
    assertEquals(414, status(r414));
    Raw b = raw(vertx, server.port);
    b.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "y".repeat(70 * 1024) + "\r\n\r\n");
    String r431 = b.response();
    assertEquals(431, status(r431));
    Raw c = raw(vertx, server.port);
    c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + "t".repeat(60 * 1024) + "\r\n\r\n");
    String ok = c.response();
    assertEquals(200, status(ok), ok.substring(0, Math.min(200, ok.length())));
  }

  /** §4 405 Allow, 404, 415, 426 with JSON; §7 health. */
  @Test
  void plainErrors(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    HttpResponse<Buffer> r = server.client.post("/sync/ws").send().await();
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.getHeader("Allow"));
    r = server.client.delete("/health").send().await();
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.getHeader("Allow"));
    r = server.client.get("/sync").send().await();
    assertEquals("POST", r.getHeader("Allow"));
    r = server.client.get("/nope").send().await();
    assertEquals(404, r.statusCode());
    assertEquals("not_found", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    r = server.client.get("/sync/ws").send().await();
    assertEquals(426, r.statusCode());
    assertEquals("upgrade_required", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    r = server.client.get("/health").send().await();
    assertEquals(new JsonObject().put("status", "ok").put("protocol", 1), r.bodyAsJsonObject());
    r = server.client.post("/sync").putHeader("Content-Type", "Application/JSON; charset=UTF-8")
      .sendBuffer(ServerFixture.request("z", null).put("future_field", 1).toBuffer()).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  /** §2: not UTF-8 → 400 invalid_json (HTTP) and an error frame with id null, socket open (WS). */
  @Test
  void notUtf8(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    byte[] body = ServerFixture.request("u", null, ServerFixture.op("n", "x", 1, "u", new JsonObject().put("s", "AB"))).encode()
      .getBytes(StandardCharsets.UTF_8);
    String text = new String(body, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("AB");
    body[at] = (byte) 0xC1;
    body[at + 1] = (byte) 0x81;
    HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)).await();
    assertEquals(400, r.statusCode());
    assertEquals("invalid_json", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    Raw raw = raw(vertx, server.port);
    int start = handshake(raw);
    byte[] frame = ("{\"type\":\"sync\",\"id\":1,\"request\":" + new String(body, StandardCharsets.ISO_8859_1) + "}")
      .getBytes(StandardCharsets.ISO_8859_1);
    raw.send(clientFrame(0x81, frame));
    raw.send(clientFrame(0x81, syncFrame(2, ServerFixture.request("u", null)).getBytes(StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<byte[]> p = new java.util.ArrayList<>();
      frames(raw.bytes(), start, p);
      return p.size() >= 3 || raw.closed.get();
    });
    List<byte[]> p = new java.util.ArrayList<>();
    List<int[]> fs = frames(raw.bytes(), start, p);
    JsonObject e = new JsonObject(new String(p.get(1), StandardCharsets.UTF_8));
    assertEquals("invalid_json", e.getJsonObject("error").getString("code"));
    assertEquals(2, new JsonObject(new String(p.get(2), StandardCharsets.UTF_8)).getInteger("id"));
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
}

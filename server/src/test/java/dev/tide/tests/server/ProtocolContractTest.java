package dev.tide.tests.server;

import dev.tide.core.SyncProtocol;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md over HTTP, read as a contract by a third-party client author: every assertion quotes the
 * sentence it checks (the WebSocket side: {@link WebSocketContractTest}).
 */
@ExtendWith(VertxExtension.class)
class ProtocolContractTest extends ProtocolContractFixture {

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
    assertEquals("GET, HEAD", r.getHeader("Allow"));
    r = server.client.head("/health").send().await(); // load balancers that probe with HEAD (a 405 before)
    assertEquals(200, r.statusCode());
    assertEquals(null, r.body());
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

  /**
   * §4 405: {@code Allow} names the method the route takes, also on a path with a trailing slash (which the
   * router matches to the same route). Was a bug: it was guessed from the path's end, so POST /health/ and
   * POST /sync/ws/ said {@code Allow: POST} while their error message said "use GET".
   */
  @Test
  void allowNamesTheRoutesMethodOnAPathWithATrailingSlash(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    for (String path : List.of("/health/", "/sync/ws/")) {
      HttpResponse<Buffer> r = server.client.post(path).send().await();
      assertEquals(405, r.statusCode(), path);
      assertEquals("method_not_allowed", r.bodyAsJsonObject().getJsonObject("error").getString("code"), path);
      assertEquals(path.startsWith("/health") ? "GET, HEAD" : "GET", r.getHeader("Allow"), path);
    }
    HttpResponse<Buffer> r = server.client.get("/sync/").send().await();
    assertEquals(405, r.statusCode());
    assertEquals("POST", r.getHeader("Allow"));
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

  /**
   * §2 doc: "keys ≤ 50,000 bytes of UTF-8". Was a bug: the streaming reader the server reads requests with
   * (HTTP and WebSocket) checked no key length, so a key of 50,001 bytes was stored and sent to every client,
   * whose JSON parser (Jackson's default name limit) then could not read the document.
   */
  @Test
  void aDocumentKeyOver50000BytesIsRefused(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    JsonObject atLimit = ServerFixture.request("k", null, ServerFixture.op("n", "ok", 1, "k", new JsonObject().put("é".repeat(25_000), 1)));
    assertEquals(200, server.post(atLimit).statusCode());
    JsonObject over = ServerFixture.request("k", null, ServerFixture.op("n", "long", 2, "k", new JsonObject().put("é".repeat(25_000) + "k", 1)));
    HttpResponse<Buffer> r = server.post(over);
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("invalid_request", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals("ops[0].doc", r.bodyAsJsonObject().getJsonObject("error").getString("field"));
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame(1, over));
    JsonObject e = ws.next();
    assertEquals("error", e.getString("type"), e.encode());
    assertEquals(400, e.getInteger("status"));
    assertEquals("ops[0].doc", e.getJsonObject("error").getString("field"));
    assertEquals(List.of("n/ok"), List.copyOf(server.snapshot().fieldNames()));
  }

  /**
   * §3 limit "values above 10,000 (however large) are clamped to 10,000"; §6 "a message from the server
   * ≤ 32 MiB (responses stop near 8 MiB)". Was a bug: maxLimit and maxResponseBytes took any value, so a
   * server could send more changes than the protocol allows, and pages (and pushes, which clients cannot
   * shrink) over the 32 MiB a client reads. They are now refused above the protocol's limits, as maxBodyBytes is.
   */
  @Test
  void limitsAboveTheProtocolsAreRefused() {
    assertEquals(SyncProtocol.MAX_LIMIT, new TideServerOptions().setMaxLimit(SyncProtocol.MAX_LIMIT).getMaxLimit());
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxLimit(SyncProtocol.MAX_LIMIT + 1));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("maxLimit", 20_000)));
    assertEquals(SyncProtocol.MAX_RESPONSE_BYTES,
      new TideServerOptions().setMaxResponseBytes(SyncProtocol.MAX_RESPONSE_BYTES).getMaxResponseBytes());
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxResponseBytes(SyncProtocol.MAX_RESPONSE_BYTES + 1));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("maxResponseBytes", 64 << 20)));
  }

  /**
   * §3 step 4: "a page stops after about 8 MiB" (maxResponseBytes), in bytes on the wire. Was a bug: pages
   * counted a document's characters, so documents of CJK text (3 UTF-8 bytes a character) made pages and
   * pushes three times the limit: 24 MiB instead of 8, near the 32 MiB a client reads.
   */
  @Test
  void aPageStopsNearMaxResponseBytesInUtf8Bytes(Vertx vertx) throws Exception {
    int max = 2 << 20;
    ServerFixture server = start(vertx, new TideServerOptions().setMaxResponseBytes(max));
    Ws ws = ws(vertx, server.port);
    ws.send(syncFrame(1, ServerFixture.request("r", null)));
    assertEquals("result", ws.next().getString("type"));
    JsonObject[] ops = new JsonObject[8];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = ServerFixture.op("n", "d" + i, i + 1, "w", new JsonObject().put("t", "日".repeat(333_000)));
    }
    server.sync(ServerFixture.request("w", null, ops));
    long bound = max + (1 << 20) + 10_000; // the limit, overshot by at most one change
    HttpResponse<Buffer> pulled = server.post(ServerFixture.request("r", null));
    assertEquals(200, pulled.statusCode());
    assertTrue(pulled.body().length() <= bound, "a page of " + pulled.body().length() + " bytes");
    assertTrue(pulled.bodyAsJsonObject().getBoolean("more"));
    String push = ws.messages.poll(15, java.util.concurrent.TimeUnit.SECONDS);
    assertNotNull(push);
    assertTrue(push.getBytes(StandardCharsets.UTF_8).length <= bound, "a push of " + push.getBytes(StandardCharsets.UTF_8).length + " bytes");
  }

  /**
   * §3 results: "applied" when "the same stamp with the same state was already stored (a replay of the same
   * write)"; §2: receivers "must not rely on any particular spelling" of a document, "only on its JSON value".
   * Was a bug: a replay whose document was spelled otherwise (spaces, escapes, the order of names: a client
   * that encodes again from its store) was compared as text and answered restamp, so its writer stamped and
   * pushed it again, a new change for every client.
   */
  @Test
  void aReplaySpelledOtherwiseIsApplied(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    String first = "{\"protocol\":1,\"node_id\":\"r\",\"cursor\":null,\"ops\":[{\"collection\":\"n\",\"id\":\"a\","
      + "\"stamp\":{\"counter\":3,\"node\":\"r\"},\"doc\":{\"t\":\"x\",\"n\":[1,2.5,{\"k\":null}]}}]}";
    String replay = first.replace("{\"t\":\"x\",\"n\":[1,2.5,{\"k\":null}]}", "{ \"n\" : [ 1, 2.5, {\"k\": null} ], \"t\" : \"\\u0078\" }");
    JsonObject r1 = post(server, first);
    assertEquals(new JsonArray().add("applied"), r1.getJsonArray("results"));
    JsonObject r2 = post(server, replay);
    assertEquals(new JsonArray().add("applied"), r2.getJsonArray("results"), r2.encode());
    assertEquals(r1.getString("cursor"), r2.getString("cursor"), "no new change sequence");
    // another state under the same stamp is still a restamp
    JsonObject r3 = post(server, first.replace("\"t\":\"x\"", "\"t\":\"y\""));
    assertEquals("restamp", r3.getJsonArray("results").getJsonObject(0).getString("status"), r3.encode());
  }

  private static JsonObject post(ServerFixture server, String body) {
    HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json")
      .sendBuffer(Buffer.buffer(body)).await();
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /**
   * §2/§3 as PROTOCOL.md now says: an optional field sent as null counts as absent (a delete's doc, deleted,
   * cursor, ops, limit, include_own), a required one is refused; a cursor that is not a string of 1-256
   * chars is invalid_request, one of another form invalid_cursor. The spec said a delete's doc "must be
   * absent", while the server took a null one (as clients that write every field of a struct send it).
   */
  @Test
  void nullOptionalFieldsCountAsAbsent(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    JsonObject r = post(server, "{\"protocol\":1,\"node_id\":\"z\",\"cursor\":null,\"limit\":null,\"include_own\":null,"
      + "\"ops\":[{\"collection\":\"n\",\"id\":\"a\",\"stamp\":{\"counter\":1,\"node\":\"z\"},\"deleted\":true,\"doc\":null},"
      + "{\"collection\":\"n\",\"id\":\"b\",\"stamp\":{\"counter\":2,\"node\":\"z\"},\"deleted\":null,\"doc\":{}}]}");
    assertEquals(new JsonArray().add("applied").add("applied"), r.getJsonArray("results"));
    assertEquals(200, server.post(new JsonObject().put("protocol", 1).put("node_id", "z").put("ops", (Object) null)).statusCode());
    HttpResponse<Buffer> put = server.post(ServerFixture.request("z", null, ServerFixture.op("n", "c", 3, "z", new JsonObject())
      .put("doc", (Object) null)));
    assertEquals("ops[0].doc", put.bodyAsJsonObject().getJsonObject("error").getString("field"));
    for (String cursor : List.of("", "x".repeat(257))) {
      HttpResponse<Buffer> bad = server.post(ServerFixture.request("z", cursor));
      assertEquals("invalid_request", bad.bodyAsJsonObject().getJsonObject("error").getString("code"));
      assertEquals("cursor", bad.bodyAsJsonObject().getJsonObject("error").getString("field"));
    }
  }

  /**
   * §4: "503 unavailable: the server cannot reach its store"; a store failure is not a bug of the server
   * (500). Was a bug: a pull whose read failed answered 500 internal_error over HTTP (and 503 over WebSocket).
   */
  @Test
  void aFailedReadIs503(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    server.sync(ServerFixture.request("f", null, ServerFixture.op("n", "a", 1, "f", new JsonObject())));
    server.sync(ServerFixture.request("f", null, ServerFixture.op("n", "b", 2, "f", new JsonObject()))); // a pull from null reads the store
    dropDocumentsTable(); // every read fails from now on
    HttpResponse<Buffer> r = server.post(ServerFixture.request("g", null));
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertEquals("unavailable", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }
}

package dev.tide.tests.server;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Oversized, deeply nested and random inputs: always a JSON 4xx, never a 5xx, never a state change. */
@ExtendWith(VertxExtension.class)
class HostileInputTest {

  @TempDir
  Path dir;
  ServerFixture server;
  Vertx vertx;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    server = ServerFixture.start(vertx, dir.resolve("h.db"));
    server.sync(ServerFixture.request("seed", null, ServerFixture.op("n", "keep", 1, "seed", new JsonObject().put("v", 1))));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private void expect(int status, String code, Buffer body) {
    long seq = server.verticle.server().store().lastSeq();
    HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(body).await();
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals(seq, server.verticle.server().store().lastSeq());
  }

  @Test
  void hugeBodyIs413() {
    expect(413, "too_large", Buffer.buffer(new byte[17 << 20]));
  }

  @Test
  void tooManyOpsIs413() {
    JsonArray ops = new JsonArray();
    for (int i = 0; i <= 10_000; i++) {
      ops.add(ServerFixture.op("n", "o" + i, i + 1, "big", new JsonObject()));
    }
    expect(413, "too_large", new JsonObject().put("protocol", 1).put("node_id", "big").put("cursor", null).put("ops", ops).toBuffer());
  }

  @Test
  void deepNestingIs400() {
    String deep = "{\"protocol\":1,\"node_id\":\"d\",\"ops\":[{\"collection\":\"n\",\"id\":\"x\",\"stamp\":{\"counter\":1,\"node\":\"d\"},\"doc\":"
      + "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000) + "}]}";
    expect(400, "invalid_json", Buffer.buffer(deep));
    // 65 levels inside the doc: parses, but breaks the document rule
    String doc = "{\"a\":".repeat(65) + "1" + "}".repeat(65);
    String tooDeep = "{\"protocol\":1,\"node_id\":\"d\",\"ops\":[{\"collection\":\"n\",\"id\":\"x\",\"stamp\":{\"counter\":1,\"node\":\"d\"},\"doc\":" + doc + "}]}";
    expect(400, "invalid_request", Buffer.buffer(tooDeep));
  }

  @Test
  void oversizedDocumentIs400() {
    JsonObject op = ServerFixture.op("n", "big", 1, "d", new JsonObject().put("s", "x".repeat((1 << 20) + 1)));
    expect(400, "invalid_request", ServerFixture.request("d", null, op).toBuffer());
  }

  /** Byte sequences that are not UTF-8: overlong (C1 81 reads as "A" to the parser), surrogate, above U+10FFFF, stray, truncated. */
  private static final List<byte[]> NOT_UTF8 = List.of(bytes(0xC1, 0x81), bytes(0xC0, 0x80), bytes(0xE0, 0x81, 0x81),
    bytes(0xED, 0xA0, 0x80), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xFF), bytes(0x80), bytes(0xE2, 0x82));

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** A request with {@code bad} as the op's id ({@code where} "id") or as a string of its document. */
  private static byte[] requestWith(byte[] bad, String where) {
    String json = ServerFixture.request("u", null, ServerFixture.op("n", "@", 1, "u", new JsonObject().put("v", "@"))).encode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = where.equals("id") ? json.indexOf("\"@\"") + 1 : json.lastIndexOf("\"@\"") + 1;
    out.writeBytes(json.substring(0, at).getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bad);
    out.writeBytes(json.substring(at + 1).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  @Test
  void bodyThatIsNotUtf8Is400AndNothingIsStored() {
    for (byte[] bad : NOT_UTF8) {
      for (String where : List.of("id", "doc")) {
        expect(400, "invalid_json", Buffer.buffer(requestWith(bad, where)));
      }
    }
    assertEquals(1, server.snapshot().size(), "only the seed: nothing was stored altered");
  }

  /** The same over a WebSocket: an error frame (invalid_json), nothing stored, and the socket still serves requests. */
  @Test
  void webSocketMessageThatIsNotUtf8IsRefusedAndTheSocketStaysUsable() throws Exception {
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    Promise<WebSocket> opened = Promise.promise();
    WebSocketClient client = vertx.createWebSocketClient(); // referenced: an unreachable client is closed
    vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(server.port).setURI("/sync/ws")).onSuccess(s -> s.textMessageHandler(frames::add))
      .onComplete(opened));
    WebSocket ws = opened.future().await();
    assertTrue(frames.poll(10, TimeUnit.SECONDS).contains("hello"));
    long seq = server.verticle.server().store().lastSeq();
    for (byte[] bad : NOT_UTF8) {
      byte[] request = requestWith(bad, "doc");
      Buffer message = Buffer.buffer("{\"type\":\"sync\",\"id\":1,\"request\":").appendBytes(request).appendString("}");
      // a text frame's bytes as they are: the first (empty) frame says text, the continuation carries them
      ws.writeFrame(WebSocketFrame.textFrame("", false)).await();
      ws.writeFrame(WebSocketFrame.continuationFrame(message, true)).await();
      String reply = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(reply);
      JsonObject error = new JsonObject(reply);
      assertEquals("error", error.getString("type"), reply);
      assertEquals(400, error.getInteger("status"), reply);
      assertEquals("invalid_json", error.getJsonObject("error").getString("code"), reply);
    }
    assertEquals(seq, server.verticle.server().store().lastSeq(), "nothing stored: " + server.snapshot().encode());
    ws.writeTextMessage(new JsonObject().put("type", "sync").put("id", 2).put("request", ServerFixture.request("u", null,
      ServerFixture.op("n", "ok", 1, "u", new JsonObject().put("v", "é")))).encode()).await();
    String reply = frames.poll(10, TimeUnit.SECONDS);
    assertNotNull(reply);
    assertEquals("result", new JsonObject(reply).getString("type"), reply);
    assertEquals("é", server.snapshot().getJsonObject("n/ok").getJsonObject("doc").getString("v"));
    // the snapshot's own body is given back when its response has ended, just after the client has it
    org.awaitility.Awaitility.await().until(() -> ((dev.tide.server.impl.TideServerImpl) server.verticle.server()).bufferedRequestBytes() == 0);
    ws.close().await();
    client.close().await();
  }

  /** Thousands of seeded random and mutated requests: never a 5xx, and a refused one never changes state. */
  @Test
  void randomBytesAndMutatedRequestsNever5xx() {
    Random random = new Random(Long.getLong("tide.fuzzSeed", 42));
    String valid = ServerFixture.request("m", null, ServerFixture.op("n", "m1", 3, "m", new JsonObject().put("t", "x")),
      ServerFixture.op("n", "m2", 4, "m", null)).encode();
    for (int i = 0; i < Integer.getInteger("tide.fuzzRequests", 3000); i++) {
      byte[] bytes;
      if (i % 3 == 0) {
        bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
      } else {
        StringBuilder sb = new StringBuilder(valid);
        for (int k = 0; k < 1 + random.nextInt(6); k++) {
          int pos = random.nextInt(sb.length());
          switch (random.nextInt(5)) {
            case 0 -> sb.deleteCharAt(pos);
            case 1 -> sb.insert(pos, "{}[],:\"0-e.\\u00".charAt(random.nextInt(15)));
            case 2 -> sb.setCharAt(pos, (char) (32 + random.nextInt(95)));
            case 3 -> sb.insert(pos, "[".repeat(random.nextInt(200)));
            default -> sb.replace(pos, Math.min(sb.length(), pos + 4), Long.toString(random.nextLong()));
          }
        }
        bytes = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      long seq = server.verticle.server().store().lastSeq();
      HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(bytes)).await();
      String input = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(r.statusCode() < 500, "5xx for input " + input);
      if (r.statusCode() != 200) {
        assertTrue(r.bodyAsJsonObject().getJsonObject("error").getString("code") != null);
        assertEquals(seq, server.verticle.server().store().lastSeq(), "a refused request changed state: " + input);
      }
    }
    assertEquals(new JsonObject().put("v", 1), server.snapshot().getJsonObject("n/keep").getJsonObject("doc"));
    assertEquals(200, server.client.get("/health").send().await().statusCode());
  }
}

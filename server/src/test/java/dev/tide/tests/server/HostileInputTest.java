package dev.tide.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Oversized, deeply nested and random inputs: always a JSON 4xx, never a 5xx, never a state change. */
@ExtendWith(VertxExtension.class)
class HostileInputTest {

  @TempDir
  Path dir;
  ServerFixture server;

  @BeforeEach
  void start(Vertx vertx) {
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

  @Test
  void randomBytesAndMutatedRequestsNever5xx() {
    Random random = new Random(42);
    String valid = ServerFixture.request("m", null, ServerFixture.op("n", "m1", 3, "m", new JsonObject().put("t", "x"))).encode();
    for (int i = 0; i < 300; i++) {
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = new byte[random.nextInt(200)];
        random.nextBytes(bytes);
      } else {
        StringBuilder sb = new StringBuilder(valid);
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          int pos = random.nextInt(sb.length());
          switch (random.nextInt(3)) {
            case 0 -> sb.deleteCharAt(pos);
            case 1 -> sb.insert(pos, "{}[],:\"0-e.\\u00".charAt(random.nextInt(15)));
            default -> sb.setCharAt(pos, (char) (32 + random.nextInt(95)));
          }
        }
        bytes = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(bytes)).await();
      assertTrue(r.statusCode() < 500, "5xx for input " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        assertTrue(r.bodyAsJsonObject().getJsonObject("error").getString("code") != null);
      }
    }
    assertEquals(new JsonObject().put("v", 1), server.snapshot().getJsonObject("n/keep").getJsonObject("doc"));
    assertEquals(200, server.client.get("/health").send().await().statusCode());
  }
}

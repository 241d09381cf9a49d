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

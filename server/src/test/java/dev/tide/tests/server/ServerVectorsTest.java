package dev.tide.tests.server;

import dev.tide.tests.core.Vectors;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs PROTOCOL.md's test vectors against a live server: every refusal is a JSON 4xx and changes nothing. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerVectorsTest {

  private static final JsonObject VECTORS = Vectors.load("sync.json");

  Vertx vertx;
  ServerFixture server;

  @BeforeAll
  void start(@TempDir Path dir) {
    vertx = Vertx.vertx();
    server = ServerFixture.start(vertx, dir.resolve("vectors.db"));
  }

  @AfterAll
  void stop() {
    vertx.close().await();
  }

  @TestFactory
  Stream<DynamicTest> validRequests() {
    return VECTORS.getJsonArray("requests").stream().map(JsonObject.class::cast).map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      JsonObject r = server.sync(v.getJsonObject("json"));
      if (v.containsKey("results")) {
        assertEquals(v.getJsonArray("results"), r.getJsonArray("results"));
      }
      assertEquals(v.getJsonObject("json").getJsonArray("ops", new io.vertx.core.json.JsonArray()).size(), r.getJsonArray("results").size());
      r.getString("cursor");
    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidRequests() {
    return VECTORS.getJsonArray("invalid").stream().map(JsonObject.class::cast).map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      JsonObject before = server.snapshot();
      long seqBefore = server.verticle.server().store().lastSeq();

      HttpMethod method = HttpMethod.valueOf(v.getString("method", "POST"));
      HttpRequest<Buffer> req = server.client.request(method, "/sync");
      String type = v.getString("contentType", "application/json");
      if (!type.isEmpty()) {
        req.putHeader("Content-Type", type);
      }
      Buffer body;
      if (v.containsKey("raw")) {
        body = Buffer.buffer(v.getString("raw"));
      } else if (v.getBoolean("cursorAhead", false)) {
        String epoch = server.sync(ServerFixture.request("probe", null)).getString("cursor").split("\\.")[0];
        body = ServerFixture.request("x", epoch + "." + (seqBefore + 1000)).toBuffer();
      } else {
        body = v.getJsonObject("json", new JsonObject()).toBuffer();
      }
      HttpResponse<Buffer> r = method == HttpMethod.GET ? req.send().await() : req.sendBuffer(body).await();

      assertEquals(v.getInteger("status"), r.statusCode(), r.bodyAsString());
      assertEquals("application/json", r.getHeader("Content-Type"));
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertEquals(v.getString("code"), error.getString("code"), error.encode());
      if (v.containsKey("field")) {
        assertEquals(v.getString("field"), error.getString("field"), error.encode());
      }
      if (v.containsKey("reason")) {
        assertEquals(v.getString("reason"), error.getString("reason"), error.encode());
      }
      if (r.statusCode() == 405) {
        assertEquals("POST", r.getHeader("Allow"));
      }
      assertEquals(seqBefore, server.verticle.server().store().lastSeq());
      assertEquals(before, server.snapshot());
    }));
  }
}

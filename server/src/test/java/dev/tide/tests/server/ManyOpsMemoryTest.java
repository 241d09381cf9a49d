package dev.tide.tests.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request-memory budget bounds what a request holds, parsed too: a body of far more ops than a request
 * may carry is refused without every op being read into memory. Before, a 16 MiB body of ~225,000 tiny ops
 * was parsed whole (about 60 MB of op objects, 3.5 times the bytes the budget counted) before its 413, so
 * the few requests the budget let in at once ran a small heap out of memory.
 */
@ExtendWith(VertxExtension.class)
class ManyOpsMemoryTest {

  @TempDir
  Path dir;

  @Test
  void bodiesOfTooManyTinyOpsAre413OnASmallHeap(Vertx vertx) throws Exception {
    // 128 MiB of heap: a budget of 32 MiB, so two 16 MiB bodies are taken at once
    ServerProcessTest.Child child = new ServerProcessTest.Child(dir.resolve("m.db"), true, List.of("-Xmx128m"));
    try {
      StringBuilder body = new StringBuilder("{\"protocol\":1,\"node_id\":\"a\",\"cursor\":null,\"ops\":[");
      for (int i = 0; body.length() < (16 << 20) - 100; i++) {
        body.append(i == 0 ? "" : ",").append("{\"collection\":\"n\",\"id\":\"").append(i)
          .append("\",\"stamp\":{\"counter\":1,\"node\":\"a\"},\"doc\":{}}");
      }
      Buffer many = Buffer.buffer(body.append("]}").toString());
      WebClient client = WebClient.create(vertx);
      for (int round = 0; round < 3; round++) {
        List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
          sent.add(client.post(child.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json").sendBuffer(many));
        }
        for (Future<HttpResponse<Buffer>> f : sent) {
          HttpResponse<Buffer> r = f.await();
          assertEquals(413, r.statusCode(), r.bodyAsString());
          assertEquals("too_large", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
        }
      }
      JsonObject ok = client.post(child.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
        .sendJsonObject(ServerFixture.request("a", null)).await().bodyAsJsonObject();
      assertEquals(false, ok.getBoolean("more"), ok.encode());
    } finally {
      child.process.destroy();
      child.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Bodies of the largest size, every document with a char outside Latin-1 (read out as UTF-16 Strings, twice
   * their bytes): answered 200 or 429 on a small heap. Before, the parser read a copy of each body, held
   * beside the body and its documents: the child ran out of heap and answered 500 and 503.
   */
  @Test
  void largeBodiesOfNonLatin1DocumentsOnASmallHeap(Vertx vertx) throws Exception {
    ServerProcessTest.Child child = new ServerProcessTest.Child(dir.resolve("u.db"), true, List.of("-Xmx128m"));
    try {
      StringBuilder body = new StringBuilder("{\"protocol\":1,\"node_id\":\"a\",\"cursor\":null,\"ops\":[");
      for (int i = 1; body.length() < (16 << 20) - 1_100_000; i++) { // documents of 1 MB, a euro sign in each
        body.append(i == 1 ? "" : ",").append("{\"collection\":\"n\",\"id\":\"").append(i)
          .append("\",\"stamp\":{\"counter\":").append(i).append(",\"node\":\"a\"},\"doc\":{\"s\":\"\u20ac")
          .append("x".repeat(1_000_000)).append("\"}}");
      }
      Buffer large = Buffer.buffer(body.append("]}").toString());
      WebClient client = WebClient.create(vertx);
      List<Integer> statuses = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
          sent.add(client.post(child.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json").sendBuffer(large));
        }
        for (Future<HttpResponse<Buffer>> f : sent) {
          statuses.add(f.await().statusCode());
        }
      }
      assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 429), statuses + " " + child.all);
    } finally {
      child.process.destroy();
      child.process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}

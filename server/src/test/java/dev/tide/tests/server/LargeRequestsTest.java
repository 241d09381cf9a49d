package dev.tide.tests.server;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests above the inline size (256 KiB) are read on a worker thread: their answers, and those of the
 * requests sent after them on the same WebSocket, keep their order, and refusals stay what they were.
 */
@ExtendWith(VertxExtension.class)
class LargeRequestsTest {

  @TempDir
  Path dir;

  /** A request of about 600 KB: 300 ops of 2 KB documents. */
  private static JsonObject large(String node, int counterBase) {
    JsonObject[] ops = new JsonObject[300];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = ServerFixture.op("big", node + "-" + i, counterBase + i, node, new JsonObject().put("pad", "x".repeat(2000)));
    }
    return ServerFixture.request(node, null, ops);
  }

  @Test
  void largeHttpRequestsAreAnsweredAndRefusedAsBefore(Vertx vertx) {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("large-http.db"));
    try {
      JsonObject answer = server.sync(large("h", 1));
      assertEquals(300, answer.getJsonArray("results").size());
      assertEquals(300, server.snapshot().size());

      Buffer malformed = large("m", 1).toBuffer().appendString(",}");
      HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(malformed).await();
      assertEquals(400, r.statusCode());
      assertEquals("invalid_json", r.bodyAsJsonObject().getJsonObject("error").getString("code"));

      JsonObject badField = large("f", 1);
      badField.getJsonArray("ops").getJsonObject(299).put("stamp", "not a stamp");
      r = server.post(badField);
      assertEquals(400, r.statusCode());
      assertEquals("invalid_request", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
      assertEquals(300, server.snapshot().size(), "nothing of a refused request is stored");
    } finally {
      server.stop();
    }
  }

  @Test
  void webSocketAnswersKeepTheirOrderAcrossLargeRequests(Vertx vertx) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("large-ws.db"));
    try {
      BlockingQueue<String> frames = new LinkedBlockingQueue<>();
      Promise<WebSocket> opened = Promise.promise();
      vertx.getOrCreateContext().runOnContext(x -> vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20)).connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(server.port).setURI("/sync/ws")).onSuccess(s -> s.textMessageHandler(frames::add))
        .onComplete(opened));
      WebSocket ws = opened.future().await();
      assertTrue(frames.poll(10, TimeUnit.SECONDS).contains("hello"));

      JsonObject badField = large("f", 1);
      badField.getJsonArray("ops").getJsonObject(0).put("collection", 42);
      List<JsonObject> sent = List.of(
        frame(1, large("a", 1)),
        frame(2, ServerFixture.request("b", null, ServerFixture.op("small", "b", 1, "b", new JsonObject().put("v", 1)))),
        frame(3, badField),
        frame(4, large("c", 1)),
        frame(5, ServerFixture.request("d", null, ServerFixture.op("small", "d", 1, "d", new JsonObject().put("v", 1)))));
      for (JsonObject f : sent) { // back to back: the small ones arrive while the large ones are still being read
        ws.writeTextMessage(f.encode());
      }
      List<String> answers = new ArrayList<>();
      while (answers.size() < sent.size()) {
        String text = frames.poll(20, TimeUnit.SECONDS);
        assertNotNull(text, "answer " + (answers.size() + 1) + " of " + sent.size());
        JsonObject answer = new JsonObject(text);
        if (!"changes".equals(answer.getString("type"))) { // live pushes of the other nodes' writes may come between
          answers.add(answer.getValue("id") + ":" + answer.getString("type"));
        }
      }
      assertEquals(List.of("1:result", "2:result", "3:error", "4:result", "5:result"), answers);
      assertEquals(602, server.snapshot().size());
      ws.close().await();
    } finally {
      server.stop();
    }
  }

  /** A WebSocket request of exactly the hello's maxMessageBytes (16 MiB) is answered (it was refused as invalid_json). */
  @Test
  void aWebSocketRequestOfMaxMessageBytesIsAnswered(Vertx vertx) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("max-ws.db"));
    try {
      BlockingQueue<String> frames = new LinkedBlockingQueue<>();
      Promise<WebSocket> opened = Promise.promise();
      vertx.getOrCreateContext().runOnContext(x -> vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20))
        .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.port).setURI("/sync/ws"))
        .onSuccess(s -> s.textMessageHandler(frames::add)).onComplete(opened));
      WebSocket ws = opened.future().await();
      JsonObject hello = new JsonObject(frames.poll(10, TimeUnit.SECONDS));
      int max = hello.getInteger("maxMessageBytes");
      assertEquals(16 << 20, max);
      String request = requestOfSize(max);
      ws.writeTextMessage("{\"type\":\"sync\",\"id\":1,\"request\":" + request + "}");
      String text = frames.poll(30, TimeUnit.SECONDS);
      assertNotNull(text);
      JsonObject answer = new JsonObject(text);
      assertEquals("result", answer.getString("type"), text.substring(0, Math.min(300, text.length())));
      ws.close().await();
    } finally {
      server.stop();
    }
  }

  /** A request whose JSON is exactly {@code size} bytes (ASCII): ops of documents up to about 1 MB. */
  private static String requestOfSize(int size) {
    StringBuilder sb = new StringBuilder("{\"protocol\":1,\"node_id\":\"m\",\"cursor\":null,\"ops\":[");
    for (int k = 1; ; k++) {
      String head = (k > 1 ? "," : "") + "{\"collection\":\"max\",\"id\":\"m" + k + "\",\"stamp\":{\"counter\":" + k
        + ",\"node\":\"m\"},\"doc\":{\"s\":\"";
      String tail = "\"}}";
      int room = size - sb.length() - head.length() - tail.length() - 2; // 2: the closing "]}"
      int pad = Math.min(room, 1_000_000);
      sb.append(head).append("x".repeat(pad)).append(tail);
      if (pad == room) {
        break;
      }
    }
    String request = sb.append("]}").toString();
    assertEquals(size, request.length());
    return request;
  }

  private static JsonObject frame(int id, JsonObject request) {
    return new JsonObject().put("type", "sync").put("id", id).put("request", request);
  }
}

package dev.tide.tests.server;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
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

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket messages of the largest size (maxMessageBytes, 16 MiB), every document with a char outside
 * Latin-1, from several sockets at once: a small heap answers each with a result or 429 busy. Before, each
 * message was decoded to a String first, on the event loop: twice its bytes (UTF-16), beside the bytes and
 * before its documents were read out of it, beyond what the request-memory budget counts. The child ran
 * out of heap in that decode, and its sockets were never answered.
 */
@ExtendWith(VertxExtension.class)
class WsMessageMemoryTest {

  @TempDir
  Path dir;

  @Test
  void largeNonLatin1MessagesOnASmallHeap(Vertx vertx) throws Exception {
    // 128 MiB of heap: a budget of 32 MiB, so two such messages are taken at once
    ServerProcessTest.Child child = new ServerProcessTest.Child(dir.resolve("w.db"), true, List.of("-Xmx128m"));
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(64 << 20));
    try {
      int sockets = 4;
      List<WebSocket> ws = new ArrayList<>();
      List<BlockingQueue<String>> frames = new ArrayList<>();
      for (int i = 0; i < sockets; i++) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Promise<WebSocket> opened = Promise.promise();
        vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(child.port).setURI("/sync/ws")).onSuccess(s -> s.textMessageHandler(q::add)).onComplete(opened));
        ws.add(opened.future().await());
        frames.add(q);
      }
      int max = new JsonObject(frames.get(0).poll(10, TimeUnit.SECONDS)).getInteger("maxMessageBytes");
      for (int i = 1; i < sockets; i++) {
        frames.get(i).poll(10, TimeUnit.SECONDS);
      }
      String message = "{\"type\":\"sync\",\"id\":1,\"request\":" + request(max) + "}";
      List<String> answers = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (WebSocket w : ws) {
          w.writeTextMessage(message);
        }
        for (BlockingQueue<String> q : frames) {
          JsonObject a;
          do { // live pushes may come between
            String text = q.poll(30, TimeUnit.SECONDS);
            assertNotNull(text, "an answer (the child said: " + tail(child) + ")");
            a = new JsonObject(text);
          } while ("changes".equals(a.getString("type")));
          answers.add(a.getString("type") + (a.containsKey("status") ? " " + a.getValue("status") : ""));
        }
      }
      assertTrue(answers.stream().allMatch(a -> a.equals("result") || a.equals("error 429")), answers + " " + tail(child));
    } finally {
      client.close().await();
      child.process.destroy();
      child.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String tail(ServerProcessTest.Child child) {
    List<String> all = child.all;
    return String.join("\n", all.subList(Math.max(0, all.size() - 200), all.size()));
  }

  /** A request of about {@code size} UTF-8 bytes: documents of ~1 MB of ASCII with one euro sign each. */
  private static String request(int size) {
    StringBuilder sb = new StringBuilder("{\"protocol\":1,\"node_id\":\"m\",\"cursor\":null,\"ops\":[");
    for (int k = 1; ; k++) {
      String head = (k > 1 ? "," : "") + "{\"collection\":\"max\",\"id\":\"m" + k + "\",\"stamp\":{\"counter\":" + k
        + ",\"node\":\"m\"},\"doc\":{\"s\":\"\u20ac";
      String tail = "\"}}";
      int room = size - sb.length() - head.length() - 2 - tail.length() - 2 - 200;
      int pad = Math.min(room, 1_000_000);
      sb.append(head).append("x".repeat(pad)).append(tail);
      if (pad == room) {
        break;
      }
    }
    return sb.append("]}").toString();
  }
}

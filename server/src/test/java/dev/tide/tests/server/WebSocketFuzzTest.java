package dev.tide.tests.server;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seeded random and mutated WebSocket frames: every one is answered (result or error frame) or closes the socket with a reason; the server lives on. */
@ExtendWith(VertxExtension.class)
class WebSocketFuzzTest {

  @TempDir
  Path dir;

  @Test
  void fuzzedFramesNeverCrashTheServer(Vertx vertx) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("wsfuzz.db"));
    server.sync(ServerFixture.request("seed", null, ServerFixture.op("n", "keep", 1, "seed", new JsonObject().put("v", 1))));
    WebSocketClient client = vertx.createWebSocketClient();
    Random random = new Random(Long.getLong("tide.fuzzSeed", 7));
    String valid = "{\"type\":\"sync\",\"id\":1,\"request\":" + ServerFixture.request("w", null,
      ServerFixture.op("n", "w1", 2, "w", new JsonObject().put("a", 1))).encode() + "}";
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    Promise<Short>[] closed = new Promise[1];
    WebSocket ws = null;
    int answered = 0;
    int closes = 0;
    for (int i = 0; i < Integer.getInteger("tide.fuzzFrames", 1000); i++) {
      if (ws == null) {
        Promise<Short> p = Promise.promise();
        closed[0] = p;
        // connect and set the handlers in one event-loop task: the server's hello cannot arrive in between
        Promise<WebSocket> opened = Promise.promise();
        vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(server.port).setURI("/sync/ws")).onSuccess(s -> {
            s.textMessageHandler(frames::add);
            s.closeHandler(v -> p.tryComplete(s.closeStatusCode()));
          }).onComplete(opened));
        ws = opened.future().await();
        assertTrue(frames.poll(10, TimeUnit.SECONDS).contains("hello"));
      }
      long seq = server.verticle.server().store().lastSeq();
      if (random.nextInt(20) == 0) {
        byte[] b = new byte[1 + random.nextInt(100)];
        random.nextBytes(b);
        ws.writeBinaryMessage(Buffer.buffer(b)).await();
        assertEquals((short) 1003, closed[0].future().await(), "binary frames are refused with a reason");
        closes++;
        ws = null;
        continue;
      }
      StringBuilder sb = new StringBuilder(valid);
      int mutations = random.nextInt(4);
      for (int k = 0; k < mutations; k++) {
        int pos = random.nextInt(sb.length());
        switch (random.nextInt(3)) {
          case 0 -> sb.deleteCharAt(pos);
          case 1 -> sb.insert(pos, "{}[],:\"0-e".charAt(random.nextInt(10)));
          default -> sb.setCharAt(pos, (char) (32 + random.nextInt(95)));
        }
      }
      String text = sb.toString();
      ws.writeTextMessage(text).await();
      String reply = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(reply, "no answer to " + text);
      JsonObject frame = new JsonObject(reply);
      String type = frame.getString("type");
      assertTrue(type.equals("result") || type.equals("error") || type.equals("changes"), reply);
      if (type.equals("error")) {
        assertTrue(frame.getInteger("status") < 500, reply);
        assertEquals(seq, server.verticle.server().store().lastSeq(), "a refused frame changed state: " + text);
      }
      answered++;
      frames.clear();
    }
    assertTrue(answered > 500 && closes > 10, answered + " answered, " + closes + " closes");
    assertEquals(200, server.client.get("/health").send().await().statusCode());
    assertEquals(new JsonObject().put("v", 1), server.snapshot().getJsonObject("n/keep").getJsonObject("doc"));
    server.stop();
  }
}

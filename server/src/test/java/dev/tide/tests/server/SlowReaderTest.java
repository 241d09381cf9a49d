package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A live client on a slow link (it reads about 480 KB/s and pings every 500 ms) receives a push of about
 * 8 MB, some 17 s, much longer than the idle timeout (3 s here). Every frame of it is taken, so it is not
 * cut (PROTOCOL.md, "Slow clients"). Was a bug: while its write queue was full the server read nothing
 * from the socket, pings included, and closed it as silent after about 10 s.
 */
@ExtendWith(VertxExtension.class)
class SlowReaderTest {

  @TempDir
  Path dir;

  @Test
  void aSlowClientReadingALargePushIsNotCutAsSilent(Vertx vertx) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, new TideServerOptions().setPort(0).setDbPath(dir.resolve("slow.db").toString())
      .setWsIdleTimeoutSeconds(3).setWsSlowClientSeconds(60), null); // only the idle check can cut it
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxMessageSize(64 << 20).setReceiveBufferSize(32 * 1024)); // no 30 MB of loopback autotuning
    try {
      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      Promise<Short> closed = Promise.promise();
      Promise<WebSocket> opened = Promise.promise();
      vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(server.port).setURI("/sync/ws")).onSuccess(s -> {
          s.textMessageHandler(t -> frames.add(new JsonObject(t)));
          long pinger = vertx.setPeriodic(500, id -> {
            if (!s.isClosed()) {
              s.writePing(Buffer.buffer("c"));
            }
          });
          s.closeHandler(v -> {
            vertx.cancelTimer(pinger);
            closed.tryComplete(s.closeStatusCode());
          });
        }).onComplete(opened));
      WebSocket ws = opened.future().await(10, TimeUnit.SECONDS);
      assertEquals("hello", frames.poll(10, TimeUnit.SECONDS).getString("type"));
      ws.writeTextMessage(new JsonObject().put("type", "sync").put("id", 1)
        .put("request", ServerFixture.request("slow", null)).encode()).await();
      assertEquals("result", frames.poll(10, TimeUnit.SECONDS).getString("type"));
      // another client commits about 4 MB (directly, not through the proxy): the server pushes it to the slow one
      JsonObject[] ops = new JsonObject[700];
      for (int i = 0; i < ops.length; i++) {
        ops[i] = ServerFixture.op("big", "d" + i, i + 1, "writer", new JsonObject().put("pad", "x".repeat(12_000)));
      }
      ws.pause(); // from now on the client reads 3 frames (about 48 KB) every 100 ms: a slow link
      long reader = vertx.setPeriodic(100, id -> ws.fetch(3));
      server.sync(ServerFixture.request("writer", null, ops));
      long start = System.currentTimeMillis();
      Future<JsonObject> push = vertx.executeBlocking(() -> frames.poll(60, TimeUnit.SECONDS));
      Future.any(push, closed.future()).await(70, TimeUnit.SECONDS);
      long took = System.currentTimeMillis() - start;
      if (closed.future().isComplete() && !push.isComplete()) {
        fail("the server closed the socket with " + closed.future().result() + " after " + took
          + " ms, while the client was taking frames of the push and pinging every 500 ms");
      }
      vertx.cancelTimer(reader);
      assertEquals("changes", push.result() == null ? null : push.result().getString("type"), String.valueOf(push.result()));
    } finally {
      client.close().await();
      server.stop();
    }
  }
}

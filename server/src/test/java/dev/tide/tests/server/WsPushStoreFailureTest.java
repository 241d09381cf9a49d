package dev.tide.tests.server;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An application's store whose getters throw for a while (a backend that lost its connection) on the
 * live-push path: the WebSocket fan-out and each connection's own push. The change committed meanwhile
 * must still reach connected clients once the store answers again, with no further commit to wake them.
 */
@ExtendWith(VertxExtension.class)
class WsPushStoreFailureTest {

  @TempDir
  Path dir;

  /** Getters that throw while {@code failing} is set, counting the throws. */
  static final class FlakyStore extends ForwardingServerStore {
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger thrown = new AtomicInteger();

    FlakyStore(ServerStore store) {
      super(store);
    }

    private void check() {
      if (failing.get()) {
        thrown.incrementAndGet();
        throw new IllegalStateException("the store is unreachable");
      }
    }

    @Override
    public String epoch() {
      check();
      return super.epoch();
    }

    @Override
    public long lastSeq() {
      check();
      return super.lastSeq();
    }

    @Override
    public long purgedSeq() {
      check();
      return super.purgedSeq();
    }
  }

  @Test
  void aChangeCommittedWhileTheStoreGettersThrowIsPushedOnceTheyAnswer(Vertx vertx) throws Exception {
    TideServerOptions options = new TideServerOptions().setDbPath(dir.resolve("s.db").toString());
    FlakyStore store = new FlakyStore(TideServer.openSqliteStore(vertx, options).await());
    TideServer server = TideServer.create(vertx, options, store);
    HttpServer http = vertx.createHttpServer().requestHandler(server.router()).listen(0, "127.0.0.1").await();
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    io.vertx.core.Promise<WebSocket> opened = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(x -> vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
      .setHost("127.0.0.1").setPort(http.actualPort()).setURI("/sync/ws"))
      .onSuccess(s -> s.textMessageHandler(t -> frames.add(new JsonObject(t)))).onComplete(opened));
    WebSocket ws = opened.future().await();
    try {
      ws.writeTextMessage(new JsonObject().put("type", "sync").put("id", 1)
        .put("request", ServerFixture.request("reader", null)).encode()).await();
      JsonObject result = next(frames, "result");
      assertNotNull(result.getJsonObject("response").getString("cursor"));

      store.failing.set(true);
      store.push("", List.of(Change.ofJson("notes", "a", new Stamp(1, "writer"), "{\"v\":1}", ChangeSource.REMOTE))).await();
      await().atMost(Duration.ofSeconds(10)).until(() -> store.thrown.get() > 0); // the push path met the failure
      store.failing.set(false);

      JsonObject pushed = next(frames, "changes");
      assertEquals("a", pushed.getJsonArray("changes").getJsonObject(0).getString("id"));
    } finally {
      ws.close().await();
      server.close().await();
      http.close().await();
    }
  }

  /** The next frame of a type (others, such as the hello, are skipped); fails after 10 s. */
  private static JsonObject next(BlockingQueue<JsonObject> frames, String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonObject f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f != null && type.equals(f.getString("type"))) {
        return f;
      }
    }
    throw new AssertionError("no " + type + " frame within 10 s");
  }
}

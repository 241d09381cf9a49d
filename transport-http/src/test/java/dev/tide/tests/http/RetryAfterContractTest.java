package dev.tide.tests.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md §4: "429 busy: the server is already receiving too many request bytes at once; retry after
 * Retry-After seconds". A server answering 429 with Retry-After: 3 must not be asked again sooner.
 */
@ExtendWith(VertxExtension.class)
class RetryAfterContractTest {

  @TempDir
  Path dir;

  @Test
  void busyServerIsNotAskedAgainBeforeRetryAfter(Vertx vertx) {
    List<Long> calls = new CopyOnWriteArrayList<>();
    HttpServer busy = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      calls.add(System.currentTimeMillis());
      req.response().setStatusCode(429).putHeader("Retry-After", "3").putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", "busy").put("message", "retry shortly")).encode());
    })).listen(0, "127.0.0.1").await();
    // the default backoff (0.5 s initial, 30 s max)
    Tide a = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("a.db").toString())
      .setSync(new SyncOptions().setUrl("http://127.0.0.1:" + busy.actualPort() + "/sync"))).await();
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    a.startSync().await();
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.size() >= 2);
    a.close().await();
    long gap = calls.get(1) - calls.get(0);
    assertTrue(gap >= 3000, "asked again " + gap + " ms after a 429 with Retry-After: 3");
  }
}

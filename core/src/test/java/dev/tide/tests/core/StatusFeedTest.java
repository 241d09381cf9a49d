package dev.tide.tests.core;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
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

/**
 * The status address carries every change of the pending count, not only of the sync state: with sync
 * not started, and while it backs off after failures (offline), local writes are published too.
 */
@ExtendWith(VertxExtension.class)
class StatusFeedTest {

  @TempDir
  Path dir;

  private static boolean publishedPending(List<JsonObject> published, long pending) {
    return published.stream().anyMatch(j -> j.getLong("pending") == pending);
  }

  @Test
  void localWritesArePublishedWithSyncNotStarted(Vertx vertx) {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("s.db").toString())
      .setSync(new SyncOptions().setUrl("http://127.0.0.1:9/sync").setTransportFactory(LifecycleTest.UNREACHABLE))).await();
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(tide.statusAddress(), m -> published.add(m.body())).completion().await();
    tide.collection("c").put("a", new JsonObject()).await();
    await().atMost(Duration.ofSeconds(5)).until(() -> publishedPending(published, 1));
    tide.collection("c").put("b", new JsonObject()).await();
    await().atMost(Duration.ofSeconds(5)).until(() -> publishedPending(published, 2));
    tide.close().await();
  }

  @Test
  void localWritesArePublishedWhileBackingOff(Vertx vertx) {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("b.db").toString())
      .setSync(new SyncOptions().setUrl("http://127.0.0.1:9/sync").setTransportFactory(LifecycleTest.UNREACHABLE)
        .setBackoffInitialMs(60_000).setBackoffMaxMs(60_000))).await();
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(tide.statusAddress(), m -> published.add(m.body())).completion().await();
    tide.startSync().await();
    await().atMost(Duration.ofSeconds(5)).until(() -> published.stream().anyMatch(j -> !"idle".equals(j.getString("state"))
      && !"syncing".equals(j.getString("state"))));
    for (int i = 0; i < 3; i++) {
      tide.collection("c").put("d" + i, new JsonObject()).await();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> publishedPending(published, 3));
    tide.close().await();
  }
}

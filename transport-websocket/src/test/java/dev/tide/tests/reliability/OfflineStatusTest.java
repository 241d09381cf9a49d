package dev.tide.tests.reliability;

import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * An idle WebSocket client, caught up, loses its server: the status says offline (published too) while
 * the server is gone, and idle again once it is back. It said idle, with no error, for as long as the
 * server was gone (nothing was pushed, so nothing was tried).
 */
@ExtendWith(VertxExtension.class)
class OfflineStatusTest {

  @TempDir
  Path dir;
  SyncFixture fx;
  FaultProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close().await();
    }
    fx.close();
  }

  @Test
  void anIdleWebSocketClientThatLosesItsServerReportsOffline(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport("websocket")
      .setRequestTimeoutMs(1_000).setHeartbeatMs(200).setBackoffInitialMs(20).setBackoffMaxMs(200));
    List<JsonObject> published = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(a.statusAddress(), m -> published.add(m.body()));
    a.collection("notes").put("x", new JsonObject()).await();
    a.startSync().await();
    a.initialSync().await();
    await().until(() -> a.pendingCount().await() == 0 && a.syncStatus().await().state() == SyncStatus.State.IDLE);

    proxy.down(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.syncStatus().await().state() == SyncStatus.State.OFFLINE);
    assertNotNull(a.syncStatus().await().lastError());
    await().atMost(Duration.ofSeconds(5)).until(() -> published.stream().anyMatch(j -> "offline".equals(j.getString("state"))));

    proxy.down(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> a.syncStatus().await().state() == SyncStatus.State.IDLE);
    await().atMost(Duration.ofSeconds(5)).until(() -> "idle".equals(published.get(published.size() - 1).getString("state")));
  }
}

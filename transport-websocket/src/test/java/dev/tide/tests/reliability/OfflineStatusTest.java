package dev.tide.tests.reliability;

import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disconnects. An idle WebSocket client, caught up, loses its server: the status says offline (published
 * too) while the server is gone, and idle again once it is back. It said idle, with no error, for as long
 * as the server was gone (nothing was pushed, so nothing was tried). A dropped socket is reconnected with
 * backoff and jitter.
 */
@ExtendWith(VertxExtension.class)
class OfflineStatusTest extends SyncFixtureTest {

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

  /**
   * PROTOCOL.md §6 "Reconnect. After any close, the client reconnects with exponential backoff and jitter
   * (same settings as sync retries)". With backoffInitialMs 2 s, a dropped connection is re-established
   * after 1-2 s (jitter in [50%, 100%]), so that the clients of a server whose sockets all drop at once do
   * not all come back in the same instant. Was a bug: the sync started on the drop reconnected at once.
   */
  @Test
  void aDroppedSocketIsReconnectedWithBackoffAndJitter(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport("websocket")
      .setBackoffInitialMs(2_000).setBackoffMaxMs(4_000).setHeartbeatMs(60_000));
    a.collection("notes").put("x", new JsonObject()).await();
    a.startSync().await();
    await().until(() -> a.pendingCount().await() == 0 && a.syncStatus().await().state() == SyncStatus.State.IDLE);
    int before = proxy.connections();

    long cut = System.currentTimeMillis();
    proxy.down(true); // cuts the open socket (the server itself is fine: an LB reload, a proxy restart)
    proxy.down(false);
    await().atMost(Duration.ofSeconds(10)).until(() -> proxy.connections() > before);
    long after = System.currentTimeMillis() - cut;
    // the backoff is at least half its initial delay (jitter)
    assertTrue(after >= 1_000, "reconnected " + after + " ms after the drop, without backoff or jitter");
  }
}

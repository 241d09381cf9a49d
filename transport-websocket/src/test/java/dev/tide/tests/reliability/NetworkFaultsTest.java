package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clients write and sync in the background through a proxy that delays, truncates and resets
 * connections at random (mid-request and mid-response, HTTP and WebSocket). Once the network heals,
 * every store equals the server, nothing acknowledged is missing, and no op was applied twice.
 */
@ExtendWith(VertxExtension.class)
class NetworkFaultsTest {

  static final int CLIENTS = 3;
  static final int WRITES = 120;

  @TempDir
  Path dir;
  SyncFixture fx;
  FaultProxy proxy;
  List<Tide> clients = new ArrayList<>();

  @AfterEach
  void tearDown() {
    clients.forEach(c -> c.close().await());
    proxy.close().await();
    fx.stopServer();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void clientsConvergeThroughAFaultyNetwork(String transport, Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    proxy.chaos(transport.hashCode() * 31L + 7);
    for (int i = 0; i < CLIENTS; i++) {
      Tide t = fx.client("c" + i, s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport(transport)
        .setIntervalMs(50).setRequestTimeoutMs(2_000).setHeartbeatMs(200).setBackoffInitialMs(10).setBackoffMaxMs(100));
      clients.add(t);
      t.startSync().await();
    }
    for (int n = 0; n < WRITES; n++) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.get(i).collection("notes").put("c" + i + "-" + n, new JsonObject().put("n", n)).await();
      }
      vertx.timer(2).await(); // pacing: syncs interleave with the writes
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> proxy.faults() >= 10);
    proxy.chaos(null);

    int total = CLIENTS * WRITES;
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (Tide t : clients) {
        if (t.pendingCount().await() != 0 || t.collection("notes").list().await().size() != total) {
          return false;
        }
      }
      return true;
    });
    assertEquals(total, fx.serverState().size(), "nothing lost");
    assertEquals(total, fx.server.store().lastSeq(), "every op applied exactly once");
    for (int i = 0; i < CLIENTS; i++) {
      assertEquals(fx.serverState(), fx.clientState("c" + i));
    }
    assertTrue(proxy.faults() >= 10, "faults injected: " + proxy.faults());
  }
}

package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A slow link (about 200 KB/s towards the server) and a server whose bodyTimeoutSeconds (1 s) is shorter
 * than a full push takes to arrive (1 MB, about 5 s): the server refuses the push as timed out
 * (HTTP 408; over WebSocket an error frame), so the client must send smaller pushes, as after an
 * exchange lost on the way. Sending the same push again would be refused the same way for ever.
 */
@ExtendWith(VertxExtension.class)
class BodyTimeoutSlowLinkTest extends SyncFixtureTest {

  static final int DOCS = 250;
  static final String PAD = "x".repeat(4000);

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aPushTooSlowForTheServersBodyTimeoutGetsThroughInSmallerPushes(String transport, Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer(new TideServerOptions().setBodyTimeoutSeconds(1), null, null);
    proxy = FaultProxy.start(vertx, fx.port());
    proxy.throttle(0, 200_000);
    Tide slow = fx.client("slow", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport(transport)
      .setRequestTimeoutMs(2_000).setHeartbeatMs(500).setBackoffInitialMs(20).setBackoffMaxMs(200));
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      puts.add(slow.collection("notes").put("n" + i, new JsonObject().put("i", i).put("pad", PAD)));
    }
    Future.all(puts).await();
    slow.startSync().await();
    await().atMost(Duration.ofSeconds(60)).until(() -> slow.pendingCount().await() == 0);
    assertEquals(DOCS, fx.serverState().size());
  }
}

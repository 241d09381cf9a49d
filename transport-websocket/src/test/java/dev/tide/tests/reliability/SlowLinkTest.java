package dev.tide.tests.reliability;

import dev.tide.core.Tide;
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
 * A slow but healthy link (a throttling proxy on 127.0.0.1, about 200 KB/s one way): a 1 MB pull or
 * push takes about 5 s, more than the request timeout (2 s) and many heartbeats (0.5 s). Bytes keep
 * flowing, so it is neither a lost answer nor a dead peer: sync gets through, on both transports.
 */
@ExtendWith(VertxExtension.class)
class SlowLinkTest extends SyncFixtureTest {

  static final int DOCS = 250;
  static final String PAD = "x".repeat(4000); // 250 × 4 KB: one page, or one push, of about 1 MB

  private Tide slowClient(String transport) {
    return fx.client("slow", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport(transport)
      .setRequestTimeoutMs(2_000).setHeartbeatMs(500).setBackoffInitialMs(20).setBackoffMaxMs(200));
  }

  private static List<Future<?>> write(Tide tide) {
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < DOCS; i++) {
      puts.add(tide.collection("notes").put("n" + i, new JsonObject().put("i", i).put("pad", PAD)));
    }
    return puts;
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aLargePullOverASlowLinkCompletes(String transport, Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    Tide seeder = fx.client("seeder");
    Future.all(write(seeder)).await();
    seeder.syncOnce().await();
    proxy = FaultProxy.start(vertx, fx.port());
    proxy.throttle(200_000, 0);
    Tide slow = slowClient(transport);
    slow.startSync().await();
    await().atMost(Duration.ofSeconds(40)).until(() -> slow.initialSync().isComplete());
    assertEquals(DOCS, slow.collection("notes").list(1000, null).await().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aLargePushOverASlowLinkCompletes(String transport, Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    proxy.throttle(0, 200_000);
    Tide slow = slowClient(transport);
    Future.all(write(slow)).await();
    slow.startSync().await();
    await().atMost(Duration.ofSeconds(40)).until(() -> slow.pendingCount().await() == 0);
    assertEquals(DOCS, fx.serverState().size());
  }
}

package dev.tide.tests.reliability;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Was a bug (WebSocket): pings and pongs counted as progress, so an exchange never answered never timed
 * out. README, requestTimeoutMs: "an exchange that makes no progress this long (no part of the request taken,
 * no part of the answer received) fails and is retried". The server's store stalls on the first push (a
 * hung disk, a stuck commit): no part of the answer ever comes. The connection itself is healthy (a
 * pass-through FaultProxy), so WebSocket pings/pongs keep flowing.
 */
@ExtendWith(VertxExtension.class)
class StalledAnswerTest extends SyncFixtureTest {

  final Promise<List<OpResult>> stalled = Promise.promise();

  @AfterEach
  void release() {
    stalled.tryFail("test over"); // before the server closes: it waits for this push
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void anExchangeWhoseAnswerNeverComesFailsAfterRequestTimeout(String transport, Vertx vertx) {
    AtomicInteger pushes = new AtomicInteger();
    fx = new SyncFixture(vertx, dir).startServer(new TideServerOptions(), null, store -> new ForwardingServerStore(store) {
      @Override
      public Future<List<OpResult>> push(String namespace, List<Change> ops) {
        return pushes.getAndIncrement() == 0 ? stalled.future() : delegate.push(namespace, ops); // the first one hangs
      }
    });
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport(transport)
      .setRequestTimeoutMs(1_000).setHeartbeatMs(200));
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    Future<SyncResult> sync = a.syncOnce();
    // 1 s without any part of the answer: the exchange must fail (and a retry get through); allow 8 s
    await().atMost(Duration.ofSeconds(8)).until(sync::isComplete);
    assertTrue(sync.failed(), "the stalled exchange fails");
    a.syncOnce().await();
    assertTrue(fx.serverState().containsKey("notes/x"));
  }
}

package dev.tide.tests.reliability;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.tests.http.SyncFixtureTest;
import dev.tide.transport.http.HttpSyncTransport;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Syncs that failed before any of their request left the client (here: the headers provider's token
 * service is unreachable, as it is when the device is offline) lost nothing on the way, so they must not
 * shrink the exchanges. Before, each one halved the ops per push and the pull limit: after a few failed
 * retries offline, the client came back pushing one op and pulling one change per request.
 */
class OfflineExchangeSizeTest extends SyncFixtureTest {

  static final int PUSH_OPS = 4;
  static final int PULL_LIMIT = 8;

  /** What each request carried: {ops, limit}. */
  final List<int[]> requests = new CopyOnWriteArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void failuresBeforeTheRequestIsSentKeepTheExchangeSize(String transport, Vertx vertx) {
    fx.startServer();
    AtomicBoolean offline = new AtomicBoolean();
    Tide a = fx.client("a", s -> s.setPushBatchOps(PUSH_OPS).setPullLimit(PULL_LIMIT)
      .setHeadersProvider(() -> offline.get() ? Future.failedFuture(new IllegalStateException("token service unreachable"))
        : Future.succeededFuture(Map.of()))
      .setTransportFactory(SyncTransportFactory.of("recording", (vx, o) ->
        new ForwardingSyncTransport("http".equals(transport) ? HttpSyncTransport.create(vx, o) : WebSocketSyncTransport.create(vx, o)) {
          @Override
          public Future<SyncResponse> exchange(SyncRequest request) {
            requests.add(new int[]{request.ops().size(), request.limit()});
            return delegate.exchange(request);
          }
        })));
    a.syncOnce().await(); // the pull after opening: pushes follow in the next syncs
    for (int i = 0; i < 10; i++) {
      a.collection("notes").put("n" + i, new JsonObject().put("i", i)).await();
    }
    offline.set(true);
    fx.stopServer(); // a WebSocket drops its connection: the next exchange needs a new one, and headers for it
    fx.startServer();
    for (int i = 0; i < 3; i++) {
      assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    }

    offline.set(false);
    requests.clear();
    SyncResult back = a.syncOnce().await();
    assertEquals(10, back.pushed());
    assertEquals("[4, 8] [4, 8] [2, 8]", requests.stream().map(r -> "[" + r[0] + ", " + r[1] + "]")
      .reduce((x, y) -> x + " " + y).orElse(""), "ops and limit of each request once back online");
  }
}

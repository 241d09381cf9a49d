package dev.tide.tests.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.tests.http.SyncFixture;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * While a store's pull of its own writes after opening runs, a server push starts an exchange instead of
 * being applied (it leaves own writes out). After a failure that exchange waits for the backoff like any
 * retry: pushes bypassed it, so every push to a client whose pull failed sent the server a request at once.
 */
@ExtendWith(VertxExtension.class)
class OwnPullBackoffTest {

  @TempDir
  Path dir;
  SyncFixture fx;

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void aPushDuringAFailedPullOfOwnWritesWaitsForTheBackoff(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    Tide b = fx.client("b");
    for (int i = 0; i < 3; i++) {
      b.collection("notes").put("n" + i, new JsonObject()).await();
    }
    b.syncOnce().await();

    AtomicInteger exchanges = new AtomicInteger();
    AtomicInteger pushes = new AtomicInteger();
    Tide a = fx.client("a", s -> s.setTransport("websocket").setPullLimit(1).setBackoffInitialMs(600_000).setBackoffMaxMs(600_000)
      .setTransportFactory(SyncTransportFactory.of("second-fails", (v, o) -> new ForwardingSyncTransport(WebSocketSyncTransport.create(v, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          // the pull's first page gets through (the server now pushes to this socket), its second fails
          return exchanges.incrementAndGet() == 2 ? Future.failedFuture(new SyncException(503, "unavailable", "down", null))
            : delegate.exchange(request);
        }

        @Override
        public void pushHandler(Handler<PushedChanges> handler) {
          delegate.pushHandler(push -> {
            pushes.incrementAndGet();
            handler.handle(push);
          });
        }
      })));
    a.startSync().await();
    await().until(() -> a.syncStatus().await().lastError() != null);
    assertEquals(2, exchanges.get());

    b.collection("notes").put("later", new JsonObject()).await();
    b.syncOnce().await();
    await().until(() -> pushes.get() == 1);
    a.syncStatus().await(); // runs on a's context after the push was handled there
    assertEquals(2, exchanges.get(), "the push waits for the retry timer");
    assertNull(a.collection("notes").get("later").await(), "nothing applied");
  }
}

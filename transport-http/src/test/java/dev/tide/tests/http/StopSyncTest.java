package dev.tide.tests.http;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code stopSync()} stops background sync (README): once its future completed, no exchange is in flight
 * and none starts on its own, even if a local write asked for a sync while the last one was running.
 */
class StopSyncTest extends SyncFixtureTest {

  @Test
  void noExchangeStartsAfterStopSyncCompleted() {
    fx.startServer();
    AtomicInteger exchanges = new AtomicInteger();
    Promise<Void> open = Promise.promise();
    open.complete();
    AtomicReference<Promise<Void>> hold = new AtomicReference<>(open);
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("held", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          exchanges.incrementAndGet();
          return hold.get().future().compose(v -> delegate.exchange(request));
        }
      })));
    a.syncOnce().await(); // the pull after opening
    hold.set(Promise.promise());
    a.startSync().await();
    await().until(() -> exchanges.get() == 2); // the first background sync, held
    a.collection("notes").put("x", new JsonObject()).await(); // asks for a sync after the one in flight
    Future<Void> stopped = a.stopSync();
    hold.get().complete();
    stopped.await();
    // a sync started by stopSync's caller pushes the write: no background sync took it meanwhile
    assertEquals(1, a.syncOnce().await().pushed(), "a background sync ran after stopSync() completed");
    assertEquals(3, exchanges.get());
  }
}

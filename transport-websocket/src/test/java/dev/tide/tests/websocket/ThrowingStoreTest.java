package dev.tide.tests.websocket;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.SyncException;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application's store whose push() throws (a bug in its per-op validation, rather than a failed
 * future) fails that one exchange with a 5xx, over WebSocket as over HTTP: the connection answers it
 * at once, gives back the request's bytes of the server-wide budget, and goes on serving.
 */
class ThrowingStoreTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  @Timeout(60)
  void aPushThatThrowsIsAnsweredAndFreesItsBytes(String transport, Vertx vertx) {
    AtomicBoolean broken = new AtomicBoolean(true);
    fx.startServer(new TideServerOptions(), null, store -> new ForwardingServerStore(store) {
      @Override
      public Future<List<OpResult>> push(String namespace, List<Change> ops) {
        if (broken.get() && ops.stream().anyMatch(op -> op.id().startsWith("boom"))) {
          throw new IllegalStateException("the app's validation has a bug");
        }
        return super.push(namespace, ops);
      }
    });
    // a request that is never answered would fail after this long, as a lost exchange
    Tide a = fx.client("a", s -> s.setTransport(transport).setRequestTimeoutMs(5_000));
    a.syncOnce().await(); // the pull after opening, which pushes nothing
    a.collection("notes").put("ok", new JsonObject()).await();
    a.collection("notes").put("boom", new JsonObject()).await();

    SyncException e = assertThrows(SyncException.class, () -> a.syncOnce().await());
    assertTrue(e.status() >= 500 && e.status() < 600, "a 5xx answer, not a lost exchange: " + e);
    assertEquals(2L, a.pendingCount().await(), "nothing acknowledged");
    assertEquals(0, ((TideServerImpl) fx.server).bufferedRequestBytes(), "the request's bytes are given back");

    broken.set(false);
    SyncResult r = a.syncOnce().await();
    assertEquals(2, r.pushed());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(2, fx.serverState().size());
  }

  @ParameterizedTest
  @CsvSource({"http,epoch", "http,lastSeq", "http,purgedSeq", "websocket,epoch", "websocket,lastSeq", "websocket,purgedSeq"})
  @Timeout(60)
  void aPositionGetterThatThrowsIsAnsweredAndFreesItsBytes(String transport, String getter, Vertx vertx) {
    AtomicBoolean broken = new AtomicBoolean(false);
    fx.startServer(new TideServerOptions(), null, store -> new ForwardingServerStore(store) {
      @Override
      public String epoch() {
        fail("epoch");
        return super.epoch();
      }

      @Override
      public long lastSeq() {
        fail("lastSeq");
        return super.lastSeq();
      }

      @Override
      public long purgedSeq() {
        fail("purgedSeq");
        return super.purgedSeq();
      }

      private void fail(String name) {
        if (broken.get() && name.equals(getter)) {
          throw new IllegalStateException("the app's store has a bug");
        }
      }
    });
    Tide a = fx.client("a", s -> s.setTransport(transport).setRequestTimeoutMs(5_000));
    a.syncOnce().await();
    a.collection("notes").put("ok", new JsonObject()).await();
    broken.set(true);

    // before, over WebSocket the exception escaped the exchange: the request was never answered
    SyncException e = assertThrows(SyncException.class, () -> a.syncOnce().await());
    assertTrue(e.status() >= 500 && e.status() < 600, "a 5xx answer, not a lost exchange: " + e);
    assertEquals(0, ((TideServerImpl) fx.server).bufferedRequestBytes(), "the request's bytes are given back");

    broken.set(false);
    SyncResult r = a.syncOnce().await(); // the same connection serves on
    assertEquals(1, r.pushed());
    assertEquals(1, fx.serverState().size());
  }
}

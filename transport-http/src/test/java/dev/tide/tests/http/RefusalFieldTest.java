package dev.tide.tests.http;

import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code 400} whose {@code field} names an op index no request could have (beyond int range) names no
 * op of the push: nothing is dropped, and the sync fails with the server's error as it is (status
 * {@code error}), not with a parse failure of the client's taken for being offline.
 */
class RefusalFieldTest extends SyncFixtureTest {

  @Test
  void anOpIndexBeyondIntRangeDropsNothingAndIsReportedAsTheServersError() {
    fx.startServer();
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("odd", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          return request.ops().isEmpty() ? delegate.exchange(request)
            : Future.failedFuture(new SyncException(400, "invalid_request", "ops[99999999999].doc: bad", "ops[99999999999].doc"));
        }
      })));
    a.syncOnce().await(); // the pull after opening
    a.collection("notes").put("x", new JsonObject()).await();
    CompletionException e = assertThrows(CompletionException.class, () -> a.syncOnce().toCompletionStage().toCompletableFuture().join());
    SyncException refusal = assertInstanceOf(SyncException.class, e.getCause(), String.valueOf(e.getCause()));
    assertEquals(400, refusal.status());
    assertEquals(SyncStatus.State.ERROR, a.syncStatus().await().state());
    assertEquals(1L, a.pendingCount().await(), "nothing dropped");
  }
}

package dev.tide.tests.http;

import dev.tide.core.OpResult;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code 200} whose {@code results} do not hold exactly one entry per op breaks PROTOCOL.md section 3:
 * nothing of it is applied, and the client reports it as every other such answer, {@code 502
 * protocol_error} (as a gateway reports a faulty upstream), not as a status the server never sent.
 */
class ResultsCountTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(ints = {-1, 1})
  void resultsOfAnotherCountAreAProtocolError(int extra) {
    fx.startServer();
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("miscounting", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          if (request.ops().isEmpty()) {
            return delegate.exchange(request);
          }
          return delegate.exchange(request).map(r -> {
            List<OpResult> results = new ArrayList<>(r.results());
            if (extra < 0) {
              results.remove(results.size() - 1);
            } else {
              results.add(OpResult.APPLIED);
            }
            return new SyncResponse(r.cursor(), r.changes(), r.more(), results, r.remaining());
          });
        }
      })));
    a.syncOnce().await(); // the pull after opening
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    CompletionException e = assertThrows(CompletionException.class, () -> a.syncOnce().toCompletionStage().toCompletableFuture().join());
    SyncException refusal = assertInstanceOf(SyncException.class, e.getCause());
    assertEquals(SyncException.PROTOCOL_ERROR, refusal.code());
    assertEquals(502, refusal.status(), refusal.getMessage());
    assertEquals(SyncStatus.State.ERROR, a.syncStatus().await().state());
    assertEquals(1L, a.pendingCount().await(), "nothing of the answer applied: the write stays pending");
  }
}

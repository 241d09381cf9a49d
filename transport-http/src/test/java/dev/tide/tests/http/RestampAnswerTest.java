package dev.tide.tests.http;

import dev.tide.core.OpResult;
import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code restamp} answer (PROTOCOL.md section 3) whose {@code above} is below the op's own counter
 * cannot come from a server that follows the protocol: taken as it is, it would have the client stamp
 * and push the op again for ever. It is a protocol error, and the write stays pending.
 */
class RestampAnswerTest extends SyncFixtureTest {

  @Test
  @Timeout(30) // before the check, the sync never ended
  void aRestampBelowTheOpsCounterIsAProtocolErrorNotALoop() {
    fx.startServer();
    AtomicInteger pushes = new AtomicInteger();
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("lying", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          if (request.ops().isEmpty()) {
            return delegate.exchange(request);
          }
          pushes.incrementAndGet();
          return delegate.exchange(request).map(r -> new SyncResponse(r.cursor(), r.changes(), r.more(),
            r.results().stream().map(x -> OpResult.restamp(0)).toList(), r.remaining()));
        }
      })));
    a.syncOnce().await(); // the pull after opening
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    CompletionException e = assertThrows(CompletionException.class, () -> a.syncOnce().toCompletionStage().toCompletableFuture().join());
    SyncException refusal = assertInstanceOf(SyncException.class, e.getCause());
    assertEquals(SyncException.PROTOCOL_ERROR, refusal.code());
    assertEquals(1, pushes.get(), "pushed once, not again and again");
    assertEquals(1L, a.pendingCount().await(), "the write stays pending");
  }
}

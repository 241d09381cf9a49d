package dev.tide.tests.http;

import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.server.TideServerOptions;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After a 413 the push is halved to isolate the op at fault. If that op is overwritten locally before it is
 * alone (its document edited again, smaller), no op is ever dropped, and the halved size used to stay for
 * good: every later push carried half the configured ops. Now it grows back once pushes get through.
 */
class PushSizeAfterTooLargeTest extends SyncFixtureTest {

  static final int PUSH_OPS = 8;

  @Test
  void thePushSizeGrowsBackWhenTheOpAtFaultWasOverwritten() {
    fx.startServer(new TideServerOptions().setMaxBodyBytes(4_096), null, null);
    List<Integer> pushes = new CopyOnWriteArrayList<>();
    AtomicReference<Tide> client = new AtomicReference<>();
    AtomicBoolean overwritten = new AtomicBoolean();
    Tide a = fx.client("a", s -> s.setPushBatchOps(PUSH_OPS).setTransportFactory(SyncTransportFactory.of("recording", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          if (!request.ops().isEmpty()) {
            pushes.add(request.ops().size());
          }
          // the app edits the large document again while the refused push is answered
          return delegate.exchange(request).transform(ar -> {
            Future<SyncResponse> answer = ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
            return ar.cause() instanceof SyncException e && e.status() == 413 && overwritten.compareAndSet(false, true)
              ? client.get().collection("notes").put("big", new JsonObject().put("v", "small")).compose(x -> answer) : answer;
          });
        }
      })));
    client.set(a);
    a.syncOnce().await(); // the pull after opening
    for (int i = 0; i < 7; i++) {
      a.collection("notes").put("s" + i, new JsonObject().put("i", i)).await();
      if (i == 2) {
        a.collection("notes").put("big", new JsonObject().put("v", "x".repeat(6_000))).await(); // over 4 KiB alone
      }
    }
    a.syncOnce().await(); // 413, halved; the large write is gone before it is isolated
    assertEquals(0L, a.pendingCount().await());
    assertEquals(List.of(PUSH_OPS), pushes.subList(0, 1), "the first push was refused whole: " + pushes);

    pushes.clear();
    for (int i = 0; i < 2 * PUSH_OPS; i++) {
      a.collection("notes").put("t" + i, new JsonObject().put("i", i)).await();
    }
    a.syncOnce().await();
    assertEquals(List.of(PUSH_OPS, PUSH_OPS), pushes, "ops per push once the op at fault is gone");
    assertEquals(0L, a.pendingCount().await());
  }
}

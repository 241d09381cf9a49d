package dev.tide.tests.http;

import dev.tide.core.Change;
import dev.tide.core.Document;
import dev.tide.core.Stamp;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConvergenceTest extends SyncFixtureTest {

  @Test
  void twoOfflineClientsConvergeOnTheHighestStamps() {
    fx.startServer();
    Tide a = client("a");
    Tide b = client("b");
    TideCollection na = a.collection("notes");
    TideCollection nb = b.collection("notes");
    Map<String, Stamp> highest = new HashMap<>();

    na.put("d1", new JsonObject().put("by", "a")).await();
    a.syncOnce().await();
    b.syncOnce().await();
    assertEquals("a", nb.get("d1").await().getString("by"));

    // offline: both edit the same documents and different ones; B deletes one A edits
    track(highest, "notes/shared", na.put("shared", new JsonObject().put("by", "a")).await());
    track(highest, "notes/shared", nb.put("shared", new JsonObject().put("by", "b")).await());
    track(highest, "notes/shared", nb.put("shared", new JsonObject().put("by", "b2")).await());
    track(highest, "notes/onlyA", na.put("onlyA", new JsonObject()).await());
    track(highest, "notes/onlyB", nb.put("onlyB", new JsonObject()).await());
    track(highest, "notes/d1", na.put("d1", new JsonObject().put("by", "a2")).await());
    track(highest, "notes/d1", nb.delete("d1").await());
    track(highest, "notes/gone", na.put("gone", new JsonObject()).await());
    track(highest, "notes/gone", na.delete("gone").await());

    a.syncOnce().await();
    b.syncOnce().await();
    a.syncOnce().await();

    Map<String, JsonObject> server = fx.serverState();
    assertEquals(server, fx.clientState("a"));
    assertEquals(server, fx.clientState("b"));
    highest.forEach((key, stamp) -> assertEquals(stamp.toJson(), server.get(key).getJsonObject("stamp"), key));
    assertTrue(server.get("notes/gone").getBoolean("deleted"), "deletes propagate");
    assertEquals(highest.get("notes/d1").node(), b.nodeId());
    assertTrue(server.get("notes/d1").getBoolean("deleted"));
    assertEquals(0L, a.pendingCount().await());
    assertEquals(0L, b.pendingCount().await());
  }

  private static void track(Map<String, Stamp> highest, String key, Stamp stamp) {
    highest.merge(key, stamp, (x, y) -> y.beats(x) ? y : x);
  }

  @Test
  void severalWritesToOneDocumentArePushedOnce() {
    StoreWrapper[] store = new StoreWrapper[1];
    fx.startServer(new TideServerOptions(), null, s -> store[0] = new StoreWrapper(s, op -> false));
    Tide a = client("a");
    List<Future<Stamp>> writes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      writes.add(a.collection("notes").put("x", new JsonObject().put("v", i)));
    }
    writes.add(a.collection("notes").put("y", new JsonObject()));
    Future.all(writes).await();
    assertEquals(6L, a.pendingCount().await());
    SyncResult r = a.syncOnce().await();
    assertEquals(2, store[0].opsReceived.get(), "x coalesced to its newest write");
    assertEquals(2, r.pushed());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(4, new JsonObject(fx.serverState().get("notes/x").getJsonObject("doc").encode()).getInteger("v"));
  }

  @Test
  void rejectedOpsNeverJamTheOutbox(Vertx vertx) {
    fx.startServer(new TideServerOptions(), null, s -> new StoreWrapper(s, op -> op.id().startsWith("bad")));
    Tide a = client("a");
    List<JsonObject> rejections = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("a.sync.rejected", m -> rejections.add(m.body()));
    a.collection("notes").put("good1", new JsonObject()).await();
    a.collection("notes").put("bad1", new JsonObject()).await();
    a.collection("notes").put("good2", new JsonObject()).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(1, r.rejected());
    assertEquals(0L, a.pendingCount().await());
    await().until(() -> rejections.size() == 1);
    assertEquals("bad1", rejections.get(0).getString("id"));
    assertEquals("forbidden", rejections.get(0).getString("code"));
    assertFalse(a.collection("notes").document("bad1").await().pending());
    a.collection("notes").put("good3", new JsonObject()).await();
    assertEquals(1, a.syncOnce().await().pushed());
    assertEquals(3, fx.serverState().size());
  }

  @Test
  void statusInitialSyncAndPerDocumentPending(Vertx vertx) {
    fx.startServer();
    Tide seed = client("seed");
    List<Future<Stamp>> seeded = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      seeded.add(seed.collection("notes").put("s" + i, new JsonObject()));
    }
    Future.all(seeded).await();
    assertEquals(30, seed.syncOnce().await().pushed());

    Tide a = fx.client("a", s -> s.setPullLimit(10));
    List<SyncStatus> statuses = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(a.statusAddress(), m -> statuses.add(SyncStatus.fromJson(m.body())));
    Future<Void> initial = a.initialSync();
    assertFalse(initial.isComplete());
    Stamp mine = a.collection("notes").put("mine", new JsonObject()).await();
    Document before = a.collection("notes").document("mine").await();
    assertTrue(before.pending());
    assertEquals(mine, before.stamp());

    SyncResult r = a.syncOnce().await();
    initial.await();
    assertEquals(30, r.pulled());
    assertTrue(r.exchanges() >= 3);
    assertFalse(a.collection("notes").document("mine").await().pending());
    SyncStatus status = a.syncStatus().await();
    assertEquals(SyncStatus.State.IDLE, status.state());
    assertEquals(0, status.pending());
    assertTrue(status.caughtUp());
    assertTrue(status.lastSuccessAt() > 0);
    await().until(() -> statuses.stream().anyMatch(s -> s.state() == SyncStatus.State.IDLE && s.caughtUp()));
    assertTrue(statuses.stream().anyMatch(s -> s.state() == SyncStatus.State.SYNCING));
    assertTrue(statuses.stream().anyMatch(s -> s.state() == SyncStatus.State.SYNCING && s.remaining() > 0), "pull progress");
    a.initialSync().await(); // already done: completes at once
  }

  @Test
  void remoteChangesReachTheChangeFeed(Vertx vertx) {
    fx.startServer();
    Tide a = client("a");
    Tide b = client("b");
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    a.collection("notes").put("n1", new JsonObject().put("t", 1)).await();
    a.syncOnce().await();
    b.syncOnce().await();
    await().until(() -> seen.size() == 1);
    assertEquals(dev.tide.core.ChangeSource.REMOTE, seen.get(0).source());
    assertEquals(new JsonObject().put("t", 1), seen.get(0).doc());
  }

  @Test
  void aLocalWriteIsPushedPromptlyNotOnTheTimer() {
    fx.startServer();
    Tide a = client("a");
    a.startSync(java.time.Duration.ofHours(1)).await(); // the timer alone would wait an hour
    a.initialSync().await();
    long before = fx.server.store().lastSeq();
    a.collection("notes").put("prompt", new JsonObject()).await();
    await().atMost(java.time.Duration.ofSeconds(5)).until(() -> fx.server.store().lastSeq() > before);
    await().until(() -> a.pendingCount().await() == 0);
    a.stopSync().await();
  }

  @Test
  void concurrentSyncCallsCoalesce() {
    fx.startServer();
    int[] inFlight = new int[1];
    int[] maxInFlight = new int[1];
    int[] exchanges = new int[1];
    Tide a = fx.client("a", s -> s.setTransportFactory(new dev.tide.core.spi.SyncTransportFactory() {
      @Override
      public String name() {
        return "counting-http";
      }

      @Override
      public dev.tide.core.spi.SyncTransport create(Vertx vertx, dev.tide.core.SyncOptions options) {
        dev.tide.core.spi.SyncTransport real = dev.tide.transport.http.HttpSyncTransport.create(vertx, options);
        return new dev.tide.core.spi.SyncTransport() {
          @Override
          public Future<dev.tide.core.SyncResponse> exchange(dev.tide.core.SyncRequest request) {
            synchronized (inFlight) {
              exchanges[0]++;
              maxInFlight[0] = Math.max(maxInFlight[0], ++inFlight[0]);
            }
            return real.exchange(request).onComplete(ar -> {
              synchronized (inFlight) {
                inFlight[0]--;
              }
            });
          }

          @Override
          public Future<Void> close() {
            return real.close();
          }
        };
      }
    }));
    a.syncOnce().await(); // the pull of its own writes after opening, which holds pushes back until done
    exchanges[0] = 0;
    a.collection("notes").put("x", new JsonObject()).await();
    List<Future<SyncResult>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(a.syncOnce());
    }
    Future.all(calls).await();
    assertEquals(1, maxInFlight[0]);
    assertTrue(exchanges[0] <= 2, "10 calls, " + exchanges[0] + " exchanges");
  }
}

package dev.tide.tests.http;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.tests.core.Sql;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A model of lost commits (seeded, deterministic per seed): one writer a, power losses simulated as in
 * LostLocalCommitTest (files copied at a commit after the last durable one, restored later), pull pages,
 * own-pull exchanges that fail, reopens offline. Oracle: a is the only writer, so every document ends at
 * a's latest write (in real time) that either survived locally or reached the server. More seeds, longer
 * runs and a second writer with purged tombstones: -Dtide.modelSeeds=100 -Dtide.modelSteps=60 -Dtide.modelOthers=true.
 */
@ExtendWith(VertxExtension.class)
class LostCommitModelTest {

  @TempDir
  Path dir;

  record W(int idx, boolean deleted) {
  }

  static final class Faults {
    volatile int ownToPass = -1; // include_own exchanges to let through before one fails; -1: none fails
  }

  private static Tide open(SyncFixture fx, int pullLimit, Faults f) {
    return fx.client("a", s -> s.setPullLimit(pullLimit).setTransportFactory(SyncTransportFactory.of("faulty", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          if (request.includeOwn() && f.ownToPass >= 0 && f.ownToPass-- == 0) {
            return Future.failedFuture(new VertxException("cut", true));
          }
          return delegate.exchange(request);
        }
      })));
  }

  @Test
  void everyDocumentEndsAtTheLatestWriteThatSurvivedOrReachedTheServer(Vertx vertx) throws Exception {
    int first = Integer.getInteger("tide.modelSeed", 1);
    int seeds = Integer.getInteger("tide.modelSeeds", 15);
    int steps = Integer.getInteger("tide.modelSteps", 40);
    for (int seed = first; seed < first + seeds; seed++) {
      Path d = Files.createDirectory(dir.resolve("s" + seed));
      runSeed(vertx, d, seed, steps, Boolean.getBoolean("tide.modelOthers"));
    }
  }

  private void runSeed(Vertx vertx, Path d, int seed, int steps, boolean others) throws Exception {
    SyncFixture fx = new SyncFixture(vertx, d).startServer();
    StringBuilder log = new StringBuilder("seed " + seed + ":");
    try {
      Random rnd = new Random(seed);
      Faults faults = new Faults();
      Map<String, W> local = new HashMap<>();
      Map<String, W> server = new HashMap<>();
      Map<String, W> snapLocal = null;
      boolean snapValid = false;
      boolean snapHadFence = false;
      boolean fence = true;
      int pullLimit = rnd.nextBoolean() ? 1 : 100;
      Tide a = open(fx, pullLimit, faults);
      Tide b = others ? fx.client("b") : null;
      int idx = 0;
      for (int step = 0; step < steps; step++) {
        int r = rnd.nextInt(100);
        if (others && rnd.nextInt(100) < 20) {
          int o = rnd.nextInt(10);
          String doc = "b" + rnd.nextInt(2);
          if (o < 5) {
            b.collection("notes").put(doc, new JsonObject().put("b", step)).await();
            log.append(" b.put ").append(doc);
          } else if (o < 7) {
            b.collection("notes").delete(doc).await();
            log.append(" b.del ").append(doc);
          } else if (o < 9) {
            b.syncOnce().await();
            log.append(" b.sync");
          } else {
            fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();
            log.append(" PURGE");
          }
          continue;
        }
        if (r < 45) {
          String doc = "d" + rnd.nextInt(4);
          idx++;
          boolean del = rnd.nextInt(5) == 0;
          if (del) {
            a.collection("notes").delete(doc).await();
          } else {
            a.collection("notes").put(doc, new JsonObject().put("i", idx)).await();
          }
          local.put(doc, new W(idx, del));
          log.append(del ? " del " : " put ").append(doc).append('#').append(idx);
        } else if (r < 71) {
          int k = rnd.nextInt(3) == 0 ? rnd.nextInt(3) : -1;
          faults.ownToPass = fence ? k : -1; // only while nothing can be pushed: a failed sync then pushed nothing
          log.append(" sync(failOwnAt=").append(faults.ownToPass).append(')');
          try {
            a.syncOnce().await();
            merge(local, server);
            fence = false;
          } catch (Exception e) {
            log.append("->failed");
          }
          faults.ownToPass = -1;
        } else if (r < 81) {
          for (String f : new String[] {"a.db", "a.db-wal"}) {
            Path p = d.resolve(f);
            if (Files.exists(p)) {
              Files.copy(p, d.resolve(f + ".snap"), StandardCopyOption.REPLACE_EXISTING);
            } else {
              Files.deleteIfExists(d.resolve(f + ".snap"));
            }
          }
          snapLocal = new HashMap<>(local);
          snapValid = true;
          snapHadFence = fence;
          log.append(" snap");
        } else if (r < 96) {
          if (snapValid && (!snapHadFence || fence)) {
            a.close().await();
            Files.deleteIfExists(d.resolve("a.db-shm"));
            for (String f : new String[] {"a.db", "a.db-wal"}) {
              Path snap = d.resolve(f + ".snap");
              if (Files.exists(snap)) {
                Files.copy(snap, d.resolve(f), StandardCopyOption.REPLACE_EXISTING);
              } else {
                Files.deleteIfExists(d.resolve(f));
              }
            }
            local = new HashMap<>(snapLocal);
            pullLimit = rnd.nextBoolean() ? 1 : 100;
            a = open(fx, pullLimit, faults);
            fence = true;
            snapValid = false;
            log.append(" LOSS+open(limit=").append(pullLimit).append(')');
          }
        } else {
          a.close().await();
          pullLimit = rnd.nextBoolean() ? 1 : 100;
          a = open(fx, pullLimit, faults);
          fence = true;
          snapValid = false;
          log.append(" reopen(limit=").append(pullLimit).append(')');
        }
      }
      a.syncOnce().await();
      merge(local, server);
      if (b != null) {
        b.syncOnce().await();
      }
      a.syncOnce().await();
      log.append(" final-sync");
      String msg = log.toString();
      System.out.println(msg);
      assertEquals(0L, a.pendingCount().await(), msg);
      Tide c = fx.client("c");
      c.syncOnce().await();
      for (int i = 0; i < 4; i++) {
        String doc = "d" + i;
        W w = server.get(doc);
        JsonObject expected = w == null || w.deleted() ? null : new JsonObject().put("i", w.idx());
        assertEquals(expected, a.collection("notes").get(doc).await(), msg + "\n a's " + doc + "; server " + fx.serverState());
        assertEquals(expected, c.collection("notes").get(doc).await(), msg + "\n c's " + doc + "; server " + fx.serverState());
      }
      for (int i = 0; i < 2 && others; i++) {
        String doc = "b" + i;
        JsonObject onServer = fx.serverState().get("notes/" + doc);
        JsonObject expected = onServer == null || onServer.containsKey("deleted") ? null : onServer.getJsonObject("doc");
        assertEquals(expected, a.collection("notes").get(doc).await(), msg + "\n a's " + doc);
        assertEquals(expected, c.collection("notes").get(doc).await(), msg + "\n c's " + doc);
      }
      List<List<Object>> shared = Sql.query(d.resolve("a.db").toString(),
        "SELECT counter, count(*) FROM tide_docs WHERE node = (SELECT value FROM tide_meta WHERE key = 'node_id')"
          + " GROUP BY counter HAVING count(*) > 1");
      assertEquals(List.of(), shared, msg + "\n own documents sharing a counter");
    } finally {
      fx.close();
    }
  }

  private static void merge(Map<String, W> local, Map<String, W> server) {
    for (String doc : new java.util.HashSet<>(local.keySet())) {
      W l = local.get(doc);
      W s = server.get(doc);
      if (s == null || l.idx() > s.idx()) {
        server.put(doc, l);
      }
    }
    local.clear();
    local.putAll(server);
  }
}

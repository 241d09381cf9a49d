package dev.tide.tests.reliability;

import dev.tide.core.Stamp;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Property: whatever the schedule — 3–5 clients, random puts and deletes of a few shared documents,
 * offline periods, sync orders, transports and restarts — once everyone syncs, every store equals the
 * server and both equal an LWW oracle computed from every acknowledged write. Each schedule comes from
 * its seed (reproduce one with {@code -Dtide.seed=N}); CI runs 200, {@code -Dtide.schedules=5000} runs longer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomizedConvergenceTest {

  private static final int SCHEDULES = Integer.getInteger("tide.schedules", 200);

  Vertx vertx;
  SyncFixture fx;

  @BeforeAll
  void start(@TempDir Path dir) {
    vertx = Vertx.vertx();
    fx = new SyncFixture(vertx, dir).startServer();
  }

  @AfterAll
  void stop() {
    fx.stopServer();
    vertx.close().await();
  }

  @TestFactory
  Stream<DynamicTest> schedules() {
    Integer only = Integer.getInteger("tide.seed");
    IntStream seeds = only != null ? IntStream.of(only) : IntStream.range(0, SCHEDULES);
    return seeds.mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new Schedule(seed).run()));
  }

  /** One schedule: its own collection on the shared server, its own client stores. */
  private final class Schedule {
    final int seed;
    final Random random;
    final String collection;
    final List<String> names = new ArrayList<>();
    final List<Tide> tides = new ArrayList<>();
    final List<Boolean> online = new ArrayList<>();
    final Map<String, Write> oracle = new HashMap<>();

    Schedule(int seed) {
      this.seed = seed;
      this.random = new Random(seed);
      this.collection = "c" + seed;
    }

    record Write(Stamp stamp, JsonObject doc) {
    }

    void run() {
      int clients = 3 + random.nextInt(3);
      for (int i = 0; i < clients; i++) {
        names.add("s" + seed + "n" + i);
        tides.add(open(i));
        online.add(random.nextBoolean());
      }
      try {
        int steps = 20 + random.nextInt(30);
        for (int s = 0; s < steps; s++) {
          step(random.nextInt(clients));
        }
        quiesce();
        check();
      } finally {
        tides.forEach(t -> t.close().await());
      }
    }

    Tide open(int i) {
      String transport = random.nextBoolean() ? "http" : "websocket";
      return fx.client(names.get(i), s -> s.setTransport(transport));
    }

    void step(int i) {
      Tide t = tides.get(i);
      String id = "d" + random.nextInt(6);
      int action = random.nextInt(100);
      if (action < 45) {
        JsonObject doc = new JsonObject().put("by", i).put("n", random.nextInt(1000));
        record(id, t.collection(collection).put(id, doc).await(), doc);
      } else if (action < 60) {
        record(id, t.collection(collection).delete(id).await(), null);
      } else if (action < 80) {
        if (online.get(i)) {
          sync(t);
        }
      } else if (action < 90) {
        online.set(i, !online.get(i));
      } else {
        t.close().await(); // restart, maybe on the other transport: nothing acknowledged may be lost
        tides.set(i, open(i));
      }
    }

    void record(String id, Stamp stamp, JsonObject doc) {
      oracle.merge(id, new Write(stamp, doc), (a, b) -> b.stamp().beats(a.stamp()) ? b : a);
    }

    void sync(Tide t) {
      t.syncOnce().await();
    }

    /** Everyone online; sync rounds until a full round moves nothing. */
    void quiesce() {
      for (int round = 0; round < 10; round++) {
        boolean moved = false;
        for (Tide t : tides) {
          SyncResult r = t.syncOnce().await();
          moved |= r.pushed() > 0 || r.applied() > 0;
        }
        if (!moved) {
          return;
        }
      }
      throw new AssertionError("seed " + seed + ": no quiescence after 10 rounds");
    }

    void check() {
      Map<String, JsonObject> expected = new TreeMap<>();
      oracle.forEach((id, w) -> {
        JsonObject v = new JsonObject().put("stamp", w.stamp().toJson());
        expected.put(collection + "/" + id, w.doc() == null ? v.put("deleted", true) : v.put("doc", w.doc()));
      });
      assertEquals(expected, only(fx.serverState()), "seed " + seed + ": server vs oracle");
      for (String name : names) {
        assertEquals(expected, only(fx.clientState(name)), "seed " + seed + ": " + name + " vs oracle");
      }
    }

    Map<String, JsonObject> only(Map<String, JsonObject> state) {
      Map<String, JsonObject> mine = new TreeMap<>();
      state.forEach((k, v) -> {
        if (k.startsWith(collection + "/")) {
          mine.put(k, v);
        }
      });
      return mine;
    }
  }
}

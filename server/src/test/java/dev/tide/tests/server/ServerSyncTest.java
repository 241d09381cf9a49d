package dev.tide.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.tide.tests.server.ServerFixture.op;
import static dev.tide.tests.server.ServerFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ServerSyncTest {

  @TempDir
  Path dir;
  ServerFixture server;

  @BeforeEach
  void start(Vertx vertx) {
    server = ServerFixture.start(vertx, dir.resolve("s.db"));
  }

  @AfterEach
  void stop() {
    if (server != null) { // null: the start was skipped (PgServerSyncTest without PostgreSQL)
      server.stop();
    }
  }

  static JsonObject doc(int v) {
    return new JsonObject().put("v", v);
  }

  @Test
  void lastWriterWinsAndResultsPerOp() {
    JsonObject r = server.sync(request("A", null, op("n", "x", 5, "A", doc(1)), op("n", "y", 6, "A", doc(1))));
    assertEquals(new JsonArray().add("applied").add("applied"), r.getJsonArray("results"));
    assertEquals(0, r.getJsonArray("changes").size(), "own writes are not echoed");

    // B: lower counter loses, equal counter with lower node loses, higher wins
    r = server.sync(request("B", null, op("n", "x", 4, "B", doc(2)), op("n", "y", 7, "B", doc(2))));
    assertEquals(new JsonArray().add("superseded").add("applied"), r.getJsonArray("results"));
    JsonArray changes = r.getJsonArray("changes");
    assertEquals(1, changes.size(), changes.encode()); // x@5A is due to B; y is B's own
    assertEquals("x", changes.getJsonObject(0).getString("id"));
    assertEquals(5, changes.getJsonObject(0).getJsonObject("stamp").getInteger("counter"));
    assertEquals(doc(1), changes.getJsonObject(0).getJsonObject("doc"));

    r = server.sync(request("C", null, op("n", "x", 5, "C", doc(3)), op("n", "x", 5, "0", null).put("stamp",
      new JsonObject().put("counter", 5).put("node", "C"))));
    assertEquals("applied", r.getJsonArray("results").getString(0), "5@C beats 5@A: C > A");
    // the second op reuses 5@C with another state (a delete): wanted again under a higher stamp (StampCollisionTest)
    assertEquals(new JsonObject().put("status", "restamp").put("above", 7), r.getJsonArray("results").getJsonObject(1));
    JsonObject snap = server.snapshot();
    assertEquals("C", snap.getJsonObject("n/x").getJsonObject("stamp").getString("node"));
    assertFalse(snap.getJsonObject("n/x").getBoolean("deleted", false));
    assertEquals("B", snap.getJsonObject("n/y").getJsonObject("stamp").getString("node"));
  }

  @Test
  void replayIsIdempotent() {
    JsonObject req = request("A", null, op("n", "a", 3, "A", doc(1)), op("n", "b", 4, "A", null));
    JsonObject first = server.sync(req);
    long seq = server.verticle.server().store().lastSeq();
    JsonObject again = server.sync(req);
    assertEquals(first.getJsonArray("results"), again.getJsonArray("results"));
    assertEquals(new JsonArray().add("applied").add("applied"), again.getJsonArray("results"));
    assertEquals(seq, server.verticle.server().store().lastSeq(), "a replay adds no change");
    assertEquals(2, server.snapshot().size());
  }

  @Test
  void tombstonesBlockStalePuts() {
    server.sync(request("A", null, op("n", "t", 10, "A", null)));
    JsonObject r = server.sync(request("B", null, op("n", "t", 9, "B", doc(1))));
    assertEquals("superseded", r.getJsonArray("results").getString(0));
    assertTrue(server.snapshot().getJsonObject("n/t").getBoolean("deleted"));
  }

  @Test
  void pagesInCommitOrderWithCursorMoreAndRemaining() {
    List<JsonObject> ops = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      ops.add(op("n", String.format("d%04d", i), i + 1, "W", doc(i)));
    }
    server.sync(request("W", null, ops.toArray(JsonObject[]::new)));
    server.sync(request("W", null, op("n", "d0000", 1000, "W", doc(-1)))); // d0000 moves to the end

    List<String> ids = new ArrayList<>();
    String cursor = null;
    int requests = 0;
    boolean more;
    long lastRemaining = Long.MAX_VALUE;
    do {
      JsonObject r = server.sync(request("R", cursor).put("limit", 100));
      requests++;
      r.getJsonArray("changes").forEach(c -> ids.add(((JsonObject) c).getString("id")));
      more = r.getBoolean("more");
      long remaining = r.getLong("remaining");
      assertTrue(remaining <= lastRemaining);
      assertTrue(more ? remaining > 0 : remaining == 0);
      lastRemaining = remaining;
      cursor = r.getString("cursor");
    } while (more);
    assertEquals(3, requests);
    assertEquals(250, ids.size());
    assertEquals("d0001", ids.get(0));
    assertEquals("d0000", ids.get(249), "a document appears once, at its newest position");
    // caught up: the cursor returns nothing new
    JsonObject r = server.sync(request("R", cursor));
    assertEquals(0, r.getJsonArray("changes").size());
    assertFalse(r.getBoolean("more"));
    assertEquals(cursor, r.getString("cursor"));
  }

  @Test
  void ownWritesAreSkippedButTheCursorMovesPastThem() {
    server.sync(request("A", null, op("n", "a1", 1, "A", doc(1)), op("n", "a2", 2, "A", doc(1))));
    JsonObject r = server.sync(request("A", null).put("limit", 1));
    assertEquals(0, r.getJsonArray("changes").size());
    assertFalse(r.getBoolean("more"), "own writes do not count against the limit");
    String cursor = r.getString("cursor");
    assertEquals(server.sync(request("B", null)).getString("cursor"), cursor, "past every own write at once");
    r = server.sync(request("A", cursor).put("limit", 1));
    assertEquals(0, r.getJsonArray("changes").size());
    assertFalse(r.getBoolean("more"));
    assertEquals(cursor, r.getString("cursor"));
  }

  /** Others' changes between runs of own writes all arrive, one page at a time, none twice. */
  @Test
  void limitCountsSentChangesOnly() {
    List<String> theirs = new ArrayList<>();
    long counter = 1;
    for (int run = 0; run < 6; run++) {
      List<JsonObject> mine = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        mine.add(op("n", "a" + run + "-" + i, counter++, "A", doc(i)));
      }
      server.sync(request("A", null, mine.toArray(JsonObject[]::new)));
      for (int i = 0; i < run; i++) {
        String id = "b" + run + "-" + i;
        theirs.add(id);
        server.sync(request("B", null, op("n", id, counter++, "B", doc(i))));
      }
    }
    List<String> got = new ArrayList<>();
    String cursor = null;
    boolean more;
    int requests = 0;
    do {
      JsonObject r = server.sync(request("A", cursor).put("limit", 4));
      requests++;
      assertTrue(r.getJsonArray("changes").size() <= 4);
      r.getJsonArray("changes").forEach(c -> got.add(((JsonObject) c).getString("id")));
      more = r.getBoolean("more");
      cursor = r.getString("cursor");
    } while (more);
    assertEquals(theirs, got);
    assertEquals(4, requests, "15 changes in pages of 4; 42 own writes skipped without counting");
    assertEquals(server.sync(request("C", null)).getString("cursor"), cursor);
  }

  @Test
  void limitIsClampedAndDefaulted() {
    List<JsonObject> ops = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      ops.add(op("n", "k" + i, i + 1, "W", doc(i)));
    }
    server.sync(request("W", null, ops.toArray(JsonObject[]::new)));
    assertEquals(1000, server.sync(request("R", null)).getJsonArray("changes").size());
    assertEquals(1500, server.sync(request("R", null).put("limit", 1_000_000)).getJsonArray("changes").size());
  }

  @Test
  void health() {
    var r = server.client.get("/health").send().await();
    assertEquals(200, r.statusCode());
    assertEquals("ok", r.bodyAsJsonObject().getString("status"));
    assertEquals(405, server.client.post("/health").send().await().statusCode());
    var nf = server.client.get("/nope").send().await();
    assertEquals(404, nf.statusCode());
    assertEquals("not_found", nf.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }
}

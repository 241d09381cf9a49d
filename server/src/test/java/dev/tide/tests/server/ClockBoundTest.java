package dev.tide.tests.server;

import dev.tide.core.SyncProtocol;
import io.vertx.core.Future;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PROTOCOL.md, "Clock bounds": one request raises the server's highest counter by at most 2^30. */
@ExtendWith(VertxExtension.class)
class ClockBoundTest {

  static final long AHEAD = SyncProtocol.MAX_CLOCK_AHEAD;

  @TempDir
  Path dir;
  ServerFixture server;

  @BeforeEach
  void start(Vertx vertx) {
    server = ServerFixture.start(vertx, dir.resolve("c.db"));
  }

  @AfterEach
  void stop() {
    if (server != null) { // null: the start was skipped (PgServerSyncTest without PostgreSQL)
      server.stop();
    }
  }

  long highestCounter() {
    return server.snapshot().stream()
      .mapToLong(e -> ((JsonObject) e.getValue()).getJsonObject("stamp").getLong("counter")).max().orElse(0);
  }

  /** Ops climbing 2^30 at a time, starting at the bound above {@code base}. */
  static JsonObject climbing(String node, long base, int ops) {
    JsonObject req = request(node, null);
    for (int i = 1; i <= ops; i++) {
      req.getJsonArray("ops").add(op("n", node + i, base + i * AHEAD, node, new JsonObject()));
    }
    return req;
  }

  @Test
  void opsOfOneRequestDoNotRaiseEachOthersBound() {
    server.sync(request("a", null, op("n", "x", 5, "a", new JsonObject())));
    JsonArray results = server.sync(climbing("evil", 5, 3)).getJsonArray("results");
    assertEquals("applied", results.getValue(0), results.encode());
    for (int i = 1; i < 3; i++) {
      JsonObject refused = results.getJsonObject(i);
      assertEquals("rejected", refused.getString("status"), results.encode());
      assertEquals("clock_ahead", refused.getString("code"), results.encode());
    }
    assertEquals(5 + AHEAD, highestCounter());
    // the next request is bounded by what the previous one committed
    results = server.sync(request("evil", null, op("n", "next", 5 + 2 * AHEAD, "evil", new JsonObject()),
      op("n", "over", 5 + 2 * AHEAD + 1, "evil", new JsonObject()))).getJsonArray("results");
    assertEquals("applied", results.getValue(0), results.encode());
    assertEquals("clock_ahead", results.getJsonObject(1).getString("code"), results.encode());
  }

  @Test
  void concurrentRequestsRaiseTheHighestCounterByAtMostTwoToTheThirtyEach() {
    server.sync(request("a", null, op("n", "x", 5, "a", new JsonObject())));
    int requests = 4;
    List<Future<?>> sent = new ArrayList<>();
    // each climbs ten steps from the same base, sent together (the server may commit them in one group)
    for (int r = 0; r < requests; r++) {
      sent.add(server.client.post("/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(climbing("e" + r, 5, 10).toBuffer()));
    }
    Future.all(sent).await();
    long highest = highestCounter();
    assertTrue(highest <= 5 + requests * AHEAD, "highest counter " + highest + " after " + requests + " requests");
  }
}

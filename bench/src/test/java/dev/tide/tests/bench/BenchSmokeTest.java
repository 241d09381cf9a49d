package dev.tide.tests.bench;

import dev.tide.bench.BenchMain;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps every benchmark compiling and running (tiny sizes; the figures themselves are not checked). */
class BenchSmokeTest {

  /** The JSON objects a run of the benchmarks printed. */
  static List<JsonObject> run(String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      BenchMain.main(args);
    } finally {
      System.setOut(original);
    }
    List<JsonObject> results = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("{")) {
        results.add(new JsonObject(line));
      }
    }
    return results;
  }

  /** S2 and S3 with the server on PostgreSQL (--postgres), whose schemas are dropped at the end. */
  @Test
  void syncScenariosRunOnPostgres() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    String base;
    try (dev.tide.tests.server.PgTestSchema probe = dev.tide.tests.server.PgTestSchema.create(vertx)) { // skipped without PostgreSQL
      base = probe.base();
      List<JsonObject> results = run("--quick", "--runs", "1", "--scenarios", "S2,S3", "--postgres", base);
      assertEquals(Set.of("S2", "S3"), new HashSet<>(results.stream().map(r -> r.getString("scenario")).toList()));
      for (JsonObject r : results) {
        assertEquals("PostgreSQL", r.getString("serverStore"), r.encode());
        assertTrue(r.getJsonObject("figures") != null, r.encode());
      }
      assertEquals("0", probe.value("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tide_bench_" + ProcessHandle.current().pid() + "_%'"),
        "the runs' schemas are dropped");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void everyScenarioRunsAndPrintsJson() throws Exception {
    List<JsonObject> results = run("--quick", "--runs", "1");
    Set<String> scenarios = new HashSet<>();
    for (JsonObject r : results) {
      scenarios.add(r.getString("scenario"));
      assertTrue(r.getJsonObject("figures") != null && r.getJsonObject("machine") != null, r.encode());
    }
    assertEquals(Set.of("S1", "S2", "S3", "S4", "S5", "CAP"), scenarios);
    for (JsonObject r : results) {
      if (r.getString("scenario").equals("S4")) {
        assertEquals(50, r.getJsonObject("figures").getInteger("arrived"), "every live write arrived");
      }
      if (r.getString("scenario").equals("S1")) {
        assertTrue(r.getJsonObject("baseline").getDouble("raw1RowPerTx") > 0);
      }
    }
  }
}

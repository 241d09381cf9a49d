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

  @Test
  void everyScenarioRunsAndPrintsJson() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      BenchMain.main(new String[]{"--quick", "--runs", "1"});
    } finally {
      System.setOut(original);
    }
    List<JsonObject> results = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("{")) {
        results.add(new JsonObject(line));
      }
    }
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

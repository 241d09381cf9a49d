package dev.tide.tests.core;

import dev.tide.core.Document;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGKILLs a real child JVM in the middle of a burst of puts; every acknowledged put must survive. */
@ExtendWith(VertxExtension.class)
class CrashTest {

  @TempDir
  Path dir;

  @Test
  void acknowledgedPutsSurviveSigkill(Vertx vertx) throws Exception {
    String db = dir.resolve("crash.db").toString();
    Set<String> acked = new HashSet<>();
    for (int round = 0; round < 3; round++) {
      acked.addAll(runAndKill(db, "r" + round + "-", 500 + ThreadLocalRandom.current().nextInt(3000)));
    }
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(db)).await();
    try {
      List<Document> docs = tide.collection("notes").list().await();
      Set<String> present = new HashSet<>();
      for (Document d : docs) {
        present.add(d.id());
      }
      List<String> lost = new ArrayList<>();
      for (String id : acked) {
        if (!present.contains(id)) {
          lost.add(id);
        }
      }
      assertEquals(List.of(), lost, "acknowledged puts lost after SIGKILL");
      // every surviving document (acked or committed just before the kill) kept its outbox entry
      assertEquals((long) docs.size(), tide.pendingCount().await());
      assertEquals(0L, Sql.count(db, "SELECT count(*) FROM tide_docs d WHERE NOT EXISTS (SELECT 1 FROM tide_outbox o"
        + " WHERE o.counter = d.counter AND o.collection = d.collection AND o.id = d.id)"));
      assertTrue(acked.size() >= 1500, "acked " + acked.size());
      // no clean close happened: the clock was recovered from the data and is above every stamp
      long highest = Sql.count(db, "SELECT max(counter) FROM tide_docs");
      assertTrue(tide.collection("notes").put("after-crash", new io.vertx.core.json.JsonObject()).await().counter() > highest);
    } finally {
      tide.close().await();
    }
  }

  private static Set<String> runAndKill(String db, String prefix, int killAfterAcks) throws Exception {
    Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
      CrashChild.class.getName(), db, prefix).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Set<String> acked = new HashSet<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean killed = false;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acked.add(line.substring(4));
          if (!killed && acked.size() >= killAfterAcks) {
            child.toHandle().destroyForcibly(); // SIGKILL (keeps our end of the pipe readable)
            killed = true;
          }
        }
      }
      assertTrue(killed, "child ended before it was killed");
    } finally {
      child.toHandle().destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(137, child.exitValue(), "killed by SIGKILL");
    return acked;
  }

  static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}

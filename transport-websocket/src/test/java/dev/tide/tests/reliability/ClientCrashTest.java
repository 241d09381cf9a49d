package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.tests.core.Sql;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client JVM writing and syncing in the background is SIGKILLed at random points, again and again,
 * on the same store. Afterwards every write whose future completed is in the store and, after a sync,
 * on the server; no op was applied twice; outbox, documents and cursor agree.
 * {@code -Dtide.crashIterations=200} soaks longer.
 */
@ExtendWith(VertxExtension.class)
class ClientCrashTest {

  static final int ITERATIONS = Integer.getInteger("tide.crashIterations", 20);

  @TempDir
  Path dir;

  @Test
  void acknowledgedWritesSurviveRepeatedKillsMidSync(Vertx vertx) throws Exception {
    SyncFixture fx = new SyncFixture(vertx, dir).startServer();
    String db = dir.resolve("victim.db").toString();
    Random random = new Random(20261124);
    Set<String> acked = new HashSet<>();
    try {
      for (int i = 0; i < ITERATIONS; i++) {
        String transport = i % 2 == 0 ? "http" : "websocket";
        acked.addAll(runAndKill(db, fx.url(), transport, "i" + i + "-", 10 + random.nextInt(300)));
      }
      // the store as the killed process left it
      Sql.query(db, "SELECT 1"); // WAL recovery happens on this open, like on the next start of the app
      assertEquals(0L, Sql.count(db, "SELECT count(*) FROM tide_outbox o JOIN tide_docs d"
        + " ON d.collection = o.collection AND d.id = o.id WHERE o.counter > d.counter"),
        "every document holds its newest logged write");
      assertEquals(0L, Sql.count(db, "SELECT count(*) FROM tide_outbox o WHERE NOT EXISTS"
        + " (SELECT 1 FROM tide_docs d WHERE d.collection = o.collection AND d.id = o.id)"), "no orphan outbox entry");

      Tide victim = fx.client("victim");
      try {
        for (String id : acked) {
          assertTrue(victim.collection("notes").get(id).await() != null, "acknowledged write " + id + " lost locally");
        }
        for (int round = 0; round < 20 && (victim.syncOnce().await().pushed() > 0 || victim.pendingCount().await() > 0); round++) {
          // drain the outbox (batches of 5,000 ops)
        }
        assertEquals(0L, victim.pendingCount().await());
        Map<String, io.vertx.core.json.JsonObject> server = fx.serverState();
        for (String id : acked) {
          assertTrue(server.containsKey("notes/" + id), "acknowledged write " + id + " never reached the server");
        }
        assertEquals((long) server.size(), fx.server.store().lastSeq(), "each op applied exactly once");
        assertEquals(server, fx.clientState("victim"), "store and server agree; the cursor covers everything");
        List<List<Object>> cursor = Sql.query(db, "SELECT value FROM tide_meta WHERE key = 'cursor'");
        assertTrue(String.valueOf(cursor.get(0).get(0)).endsWith("." + fx.server.store().lastSeq()));
      } finally {
        victim.close().await();
      }
    } finally {
      fx.stopServer();
    }
  }

  private static Set<String> runAndKill(String db, String url, String transport, String prefix, int killAfter) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SyncingWriterChild.class.getName(),
      db, url, transport, prefix).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Set<String> acked = new HashSet<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean killed = false;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          acked.add(line.substring(4));
          if (!killed && acked.size() >= killAfter) {
            child.toHandle().destroyForcibly(); // SIGKILL, wherever the writer and the sync engine are
            killed = true;
          }
        }
      }
      assertTrue(killed, "the child ended by itself");
    } finally {
      child.toHandle().destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    return acked;
  }
}

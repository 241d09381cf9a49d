package dev.tide.tests.http;

import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class PaginationTest {

  static final int N = 25_000;

  @TempDir
  Path dir;
  SyncFixture fx;

  @BeforeEach
  void preload(Vertx vertx) {
    fx = new SyncFixture(vertx, dir);
    fx.startServer();
    Tide writer = fx.client("writer");
    for (int b = 0; b < N; b += 1000) {
      int base = b;
      writer.batch(batch -> {
        for (int i = base; i < base + 1000; i++) {
          batch.put("notes", String.format("doc-%08d", i), new JsonObject().put("i", i));
        }
      }).await();
    }
    assertEquals(N, writer.syncOnce().await().pushed());
    writer.close().await();
  }

  @AfterEach
  void stop() {
    fx.stopServer();
  }

  @Test
  void everyChangeArrivesPageByPage() {
    Tide reader = fx.client("reader", s -> s.setPullLimit(1000));
    try {
      SyncResult r = reader.syncOnce().await();
      assertEquals(N, r.pulled());
      assertTrue(r.exchanges() >= 25, "exchanges " + r.exchanges());
      assertEquals((long) N, Sql.count(dir.resolve("reader.db").toString(), "SELECT count(*) FROM tide_docs"));
      assertEquals(N, reader.collection("notes").list().await().size());
    } finally {
      reader.close().await();
    }
  }

  @Test
  void aClientKilledMidPullResumesFromItsCursorWithoutGaps() throws Exception {
    String db = dir.resolve("killed.db").toString();
    Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), PullChild.class.getName(),
      db, fx.url()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    boolean killed = false;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("PULLED ") && Long.parseLong(line.substring(7)) >= 5000 && !killed) {
          child.toHandle().destroyForcibly(); // SIGKILL mid-pull
          killed = true;
        }
      }
    } finally {
      child.toHandle().destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(killed, "the child finished before it could be killed");
    long kept = Sql.count(db, "SELECT count(*) FROM tide_docs");
    assertTrue(kept >= 5000 && kept < N, "kept " + kept);

    Tide resumed = fx.client("killed", s -> s.setPullLimit(1000));
    try {
      SyncResult r = resumed.syncOnce().await();
      assertEquals(N - kept, r.pulled(), "resumed from the persisted cursor: nothing pulled twice");
      assertEquals(N, resumed.collection("notes").list().await().size(), "no gaps");
    } finally {
      resumed.close().await();
    }
  }

  static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}

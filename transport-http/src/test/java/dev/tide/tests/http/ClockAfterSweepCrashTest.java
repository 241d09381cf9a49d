package dev.tide.tests.http;

import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Lamport clock must never go back after a crash: a client that saw counter 1001 must stamp its
 * next write above 1001 even if it was SIGKILLed after a history_purged reset removed that document.
 */
@ExtendWith(VertxExtension.class)
class ClockAfterSweepCrashTest {

  @TempDir
  Path dir;
  SyncFixture fx;

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void clockDoesNotGoBackAfterCrashFollowingAResetSweep(Vertx vertx) throws Exception {
    fx = new SyncFixture(vertx, dir);
    fx.startServer();
    // client a with a clock far ahead (a busy writer): its write of y carries counter 1001
    Tide a = fx.client("a");
    a.close().await();
    Sql.exec(dir.resolve("a.db").toString(), "UPDATE tide_meta SET value = '1000' WHERE key = 'clock'");
    a = fx.client("a");
    Stamp y = a.collection("notes").put("y", new JsonObject().put("v", 1)).await();
    assertEquals(1001, y.counter());
    a.syncOnce().await();

    String cdb = dir.resolve("c.db").toString();
    Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
      System.getProperty("java.class.path"), ResetChild.class.getName(), cdb, fx.url())
      .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
         PrintStream out = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
      String l1 = in.readLine();
      assertEquals("STEP1 y=1001", l1); // c has seen counter 1001
      a.collection("notes").delete("y").await();
      a.syncOnce().await();
      fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await(); // y's tombstone purged
      out.println("go");
      String l2 = in.readLine();
      assertTrue(l2 != null && l2.startsWith("STEP2") && l2.endsWith("y=null"), l2); // reset swept y away
      child.toHandle().destroyForcibly(); // SIGKILL: no clean close
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    } finally {
      child.toHandle().destroyForcibly();
    }
    assertEquals("0", Sql.query(cdb, "SELECT value FROM tide_meta WHERE key = 'clean'").get(0).get(0));

    Tide c = Tide.open(vertx, new TideOptions().setDbPath(cdb)).await();
    try {
      Stamp next = c.collection("notes").put("z", new JsonObject()).await();
      assertTrue(next.counter() > 1001, "after the crash c stamped " + next + ", not above counter 1001 it had already seen");
    } finally {
      c.close().await();
    }
  }
}

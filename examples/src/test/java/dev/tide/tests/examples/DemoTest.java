package dev.tide.tests.examples;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.examples.Demo;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command must keep working: the demo exits 0 and ends with its "converged" line. */
@ExtendWith(VertxExtension.class)
class DemoTest {

  @TempDir
  Path dir;

  @Test
  void demoConvergesAndExitsZero() throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Demo.class.getName())
      .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    }
    String out = String.join("\n", lines);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo must end by itself");
    assertEquals(0, p.exitValue(), out);
    assertTrue(lines.get(lines.size() - 1).startsWith("converged: A, B and the server hold the same 3 documents"), out);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("[B] event bus: remote change notes/live")), out);
    // "the server holds" is read from the server's store, and shown: after the offline edits, and at the end
    List<String> server = lines.stream().filter(l -> l.startsWith("[server] now holds:")).toList();
    assertEquals(2, server.size(), out);
    String afterSync = lines.get(lines.indexOf(server.get(0)) - 2);
    assertEquals(afterSync.replace("[A]", "[server]"), server.get(0), out);
    assertEquals("[server] now holds: groceries={\"items\":[\"bread\",\"eggs\"]} live={\"text\":\"hello from A\"}"
      + " todo={\"text\":\"call the plumber\"}", server.get(1), out);
  }

  /** The demo's check reads the server's store: a client or a server that holds something else is named. */
  @Test
  void theDemoCheckNamesWhoDisagreesWithTheServer(Vertx vertx) {
    TideServerVerticle server = new TideServerVerticle(new TideServerOptions().setPort(0).setDbPath(dir.resolve("server.db").toString()));
    vertx.deployVerticle(server).await();
    String url = "http://127.0.0.1:" + server.actualPort() + "/sync";
    Tide a = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("a.db").toString()).setAddressPrefix("a")
      .setSync(new SyncOptions().setUrl(url))).await();
    Tide b = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("b.db").toString()).setAddressPrefix("b")
      .setSync(new SyncOptions().setUrl(url))).await();
    ServerStore store = server.server().store();
    a.collection("notes").put("n1", new JsonObject().put("v", 1)).await();
    a.syncOnce().await();
    b.syncOnce().await();
    assertNull(Demo.disagreement(store, a, b));

    b.collection("notes").put("n2", new JsonObject().put("v", 2)).await(); // not synced
    String bDiffers = Demo.disagreement(store, a, b);
    assertNotNull(bDiffers);
    assertTrue(bDiffers.startsWith("B holds {n1=") && bDiffers.contains("n2=") && bDiffers.contains("but the server holds {n1="), bDiffers);

    // a newer write that reached the server only: the clients' copies of n1 are now stale
    store.push("", List.of(Change.ofJson("notes", "n1", new Stamp(1_000, "other"), "{\"v\":9}", ChangeSource.REMOTE))).await();
    String aDiffers = Demo.disagreement(store, a, b);
    assertNotNull(aDiffers);
    assertTrue(aDiffers.startsWith("A holds {n1=") && aDiffers.contains("{\"v\":9}"), aDiffers);
  }
}

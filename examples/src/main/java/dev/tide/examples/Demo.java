package dev.tide.examples;

import dev.tide.core.Change;
import dev.tide.core.Document;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The README's first command: a server and two clients in one process, on the embedded SQLite
 * default, data in a temp folder. A and B edit while offline, come back, converge; then a live write on
 * A reaches B over WebSocket. Exits 0, printing {@code converged} last, or 1 if anything disagrees.
 */
public final class Demo {

  private final PrintStream out;
  private final long started = System.nanoTime();

  private Demo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    int code = new Demo(System.out).run();
    System.exit(code);
  }

  int run() throws IOException {
    Path dir = Files.createTempDirectory("tide-demo-");
    Vertx vertx = Vertx.vertx();
    try {
      return story(vertx, dir);
    } catch (Exception e) {
      say("demo failed: " + e);
      return 1;
    } finally {
      vertx.close().await();
      delete(dir);
    }
  }

  private int story(Vertx vertx, Path dir) {
    say("tide demo: one server, two clients (A and B), offline edits, then live push");
    TideServerVerticle server = new TideServerVerticle(new TideServerOptions().setPort(0).setDbPath(dir.resolve("server.db").toString()));
    vertx.deployVerticle(server).await();
    String url = "http://127.0.0.1:" + server.actualPort() + "/sync";
    say("[server] listening on " + url + " (data in " + dir + ")");

    Tide a = client(vertx, dir, "a", url, "http");
    Tide b = client(vertx, dir, "b", url, "http");
    say("[A] node " + a.nodeId() + ", [B] node " + b.nodeId() + ": each has its own SQLite file, syncing over HTTP");

    say("-- both offline --");
    a.collection("notes").put("groceries", new JsonObject().put("items", new JsonArray().add("milk"))).await();
    a.collection("notes").put("todo", new JsonObject().put("text", "call the plumber")).await();
    b.collection("notes").put("old", new JsonObject().put("text", "to be removed")).await();
    b.collection("notes").put("groceries", new JsonObject().put("items", new JsonArray().add("bread").add("eggs"))).await();
    b.collection("notes").delete("old").await();
    say("[A] wrote groceries=[milk], todo; pending " + a.pendingCount().await());
    say("[B] wrote old, groceries=[bread, eggs], deleted old; pending " + b.pendingCount().await());

    say("-- back online --");
    report("A", a.syncOnce().await());
    report("B", b.syncOnce().await());
    report("A", a.syncOnce().await());
    show("A", a);
    show("B", b);
    if (!sameState(a, b)) {
      say("NOT converged");
      return 1;
    }
    Document winner = a.collection("notes").document("groceries").await();
    say("groceries: both edited it offline; the higher stamp wins everywhere: " + winner.stamp()
      + " -> " + winner.doc().getJsonArray("items"));

    say("-- live: the same stores reopened with transport \"websocket\" (configuration only) --");
    a.close().await();
    b.close().await();
    a = client(vertx, dir, "a", url, "websocket");
    b = client(vertx, dir, "b", url, "websocket");
    a.startSync().await();
    b.startSync().await();
    b.initialSync().await();
    Promise<Change> arrived = Promise.promise();
    vertx.eventBus().<Change>localConsumer(b.collection("notes").address(), m -> {
      if (m.body().id().equals("live")) {
        arrived.tryComplete(m.body());
      }
    });
    long t0 = System.nanoTime();
    a.collection("notes").put("live", new JsonObject().put("text", "hello from A")).await();
    Change change = arrived.future().await();
    say("[B] event bus: " + change.source().toJson() + " change notes/live " + change.doc().encode()
      + " arrived " + String.format("%.1f", (System.nanoTime() - t0) / 1e6) + " ms after A's put");
    a.stopSync().await();
    b.stopSync().await();
    int count = a.collection("notes").list().await().size();
    boolean same = sameState(a, b);
    a.close().await();
    b.close().await();
    say("done in " + String.format("%.1f", (System.nanoTime() - started) / 1e9) + " s");
    if (!same) {
      say("NOT converged");
      return 1;
    }
    say("converged: A, B and the server hold the same " + count + " documents");
    return 0;
  }

  private static Tide client(Vertx vertx, Path dir, String name, String url, String transport) {
    return Tide.open(vertx, new TideOptions().setDbPath(dir.resolve(name + ".db").toString()).setAddressPrefix(name)
      .setSync(new SyncOptions().setUrl(url).setTransport(transport))).await();
  }

  private void report(String who, SyncResult r) {
    say("[" + who + "] synced: pushed " + r.pushed() + ", pulled " + r.pulled() + " (" + r.exchanges() + " exchange"
      + (r.exchanges() == 1 ? "" : "s") + ")");
  }

  private void show(String who, Tide t) {
    StringBuilder sb = new StringBuilder("[" + who + "] now holds:");
    for (Document d : t.collection("notes").list().await()) {
      sb.append(' ').append(d.id()).append('=').append(d.doc().encode());
    }
    say(sb.toString());
  }

  private static boolean sameState(Tide a, Tide b) {
    List<Document> x = a.collection("notes").list().await();
    List<Document> y = b.collection("notes").list().await();
    return x.size() == y.size() && x.stream().allMatch(d -> y.stream().anyMatch(e -> e.id().equals(d.id())
      && e.stamp().equals(d.stamp()) && e.doc().equals(d.doc())));
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

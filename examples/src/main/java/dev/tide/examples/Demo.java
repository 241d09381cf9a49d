package dev.tide.examples;

import dev.tide.core.Change;
import dev.tide.core.Document;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The README's first command: a server and two clients in one process, on the embedded SQLite
 * default, data in a temp folder. A and B edit while offline, come back, converge; then a live write on
 * A reaches B over WebSocket. Exits 0, printing {@code converged} last, or 1 if anything disagrees: A, B and
 * the server (read from its own store) must hold the same documents.
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
    show("A", holdings(a));
    show("B", holdings(b));
    ServerStore store = server.server().store(); // checked, not assumed: the server's own data
    if (!serverAgrees(store, a, b)) {
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
    int count = holdings(a).size();
    boolean agrees = serverAgrees(store, a, b);
    a.close().await();
    b.close().await();
    say("done in " + String.format("%.1f", (System.nanoTime() - started) / 1e9) + " s");
    if (!agrees) {
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

  private void show(String who, Map<String, JsonObject> holdings) {
    StringBuilder sb = new StringBuilder("[" + who + "] now holds:");
    holdings.forEach((id, d) -> sb.append(' ').append(id).append('=').append(d.getJsonObject("doc").encode()));
    say(sb.toString());
  }

  /** Shows what the server's store holds; false, saying what differs, unless A and B hold just that. */
  private boolean serverAgrees(ServerStore store, Tide a, Tide b) {
    show("server", holdings(store));
    String differs = disagreement(store, a, b);
    if (differs != null) {
      say("NOT converged: " + differs);
    }
    return differs == null;
  }

  /** Null when A, B and the server hold the same live notes (ids, stamps, bodies), else what differs. */
  public static String disagreement(ServerStore server, Tide a, Tide b) {
    Map<String, JsonObject> onServer = holdings(server);
    Map<String, JsonObject> onA = holdings(a);
    Map<String, JsonObject> onB = holdings(b);
    if (!onA.equals(onServer)) {
      return "A holds " + onA + " but the server holds " + onServer;
    }
    return onB.equals(onServer) ? null : "B holds " + onB + " but the server holds " + onServer;
  }

  /** A client's live notes: id -> {stamp, doc}. */
  private static Map<String, JsonObject> holdings(Tide t) {
    Map<String, JsonObject> docs = new TreeMap<>();
    for (Document d : t.collection("notes").list().await()) {
      docs.put(d.id(), new JsonObject().put("stamp", d.stamp().toString()).put("doc", d.doc()));
    }
    return docs;
  }

  /** The server's live notes, read from its store, not through a client: one row per document, tombstones left out. */
  private static Map<String, JsonObject> holdings(ServerStore store) {
    Map<String, JsonObject> docs = new TreeMap<>();
    long after = 0;
    PullPage page;
    do {
      page = store.pull("", after, null, 1000, 1 << 20).await();
      for (StoredChange c : page.changes()) {
        if (c.collection().equals("notes") && !c.deleted()) {
          docs.put(c.id(), new JsonObject().put("stamp", c.stamp().toString()).put("doc", new JsonObject(c.body())));
        }
      }
      after = page.lastSeq();
    } while (page.more());
    return docs;
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

package dev.tide.bench;

import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * S2 initial pull, S3 offline push (client in this JVM, server in its own), S4 live latency and S5
 * convergence (every client and the server in its own JVM), as SCENARIOS.md defines them.
 */
final class SyncScenarios {

  private static final List<String> SERVER_JVM = List.of("-Xmx2g", "-XX:+UseG1GC");
  private static final List<String> CLIENT_JVM = List.of("-Xmx1g", "-XX:+UseG1GC");

  private final Vertx vertx;
  private final Path dir;
  private Children server;
  private final Children[] clients = new Children[3];
  private final String postgres;
  private final List<String> schemas = new java.util.ArrayList<>();
  private int run;

  /** @param postgres the server's PostgreSQL database (a schema per run, dropped at the end), or null: SQLite files */
  SyncScenarios(Vertx vertx, String postgres) throws java.io.IOException {
    this.vertx = vertx;
    this.postgres = postgres;
    this.dir = Files.createTempDirectory("tide-bench-");
  }

  /** The server JVM (started once, so the warm-up run warms it), with a fresh database; returns its port. */
  private int freshServer() throws Exception {
    String db = dir.resolve("server-" + (++run) + ".db").toString();
    if (postgres != null) { // the server creates the schema
      String schema = "tide_bench_" + ProcessHandle.current().pid() + "_" + run;
      schemas.add(schema);
      db = postgres + (postgres.contains("?") ? "&" : "?") + "search_path=" + schema;
    }
    if (server == null) {
      server = Children.start(ServerProcess.class, SERVER_JVM, db);
    } else {
      server.send("reset " + db);
    }
    return Integer.parseInt(server.expect("PORT"));
  }

  /** Client JVM {@code i} (started once) with a fresh store syncing with {@code port}. */
  private Children freshClient(int i, int port) throws Exception {
    String db = dir.resolve("c" + i + "-" + run + ".db").toString();
    if (clients[i] == null) {
      clients[i] = Children.start(ClientProcess.class, CLIENT_JVM, db, url(port));
    } else {
      clients[i].send("reset " + db + " " + url(port));
      clients[i].expect("RESET");
    }
    return clients[i];
  }

  /** Stops the processes and removes the files. */
  void close() throws Exception {
    for (Children c : clients) {
      if (c != null) {
        c.close();
      }
    }
    if (server != null) {
      server.close();
    }
    if (!schemas.isEmpty()) {
      io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(io.vertx.pgclient.PgConnectOptions.fromUri(postgres)).using(vertx).build();
      try {
        for (String schema : schemas) {
          pool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
        }
      } finally {
        pool.close().await();
      }
    }
    S1LocalWrites.deleteTree(dir);
  }

  private static String url(int port) {
    return "http://127.0.0.1:" + port + "/sync";
  }

  /** One timed {@code syncOnce}, with the CPU time the client's and the server's processes spent on it. */
  private record TimedSync(SyncResult result, double seconds, long clientCpuMs, long serverCpuMs) {
    JsonObject figures(int n) {
      return new JsonObject().put("seconds", Stats.round(seconds, 3)).put("docsPerSec", Stats.round(n / seconds, 0))
        .put("requests", result.exchanges()).put("clientCpuMs", clientCpuMs).put("serverCpuMs", serverCpuMs);
    }
  }

  private TimedSync timedSync(Tide client) throws Exception {
    long serverCpu = server.cpuMillis();
    long clientCpu = Machine.processCpuMillis();
    long t0 = System.nanoTime();
    SyncResult r = client.syncOnce().await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new TimedSync(r, seconds, Machine.processCpuMillis() - clientCpu, server.cpuMillis() - serverCpu);
  }

  /** S2: a fresh client pulls N preloaded documents over HTTP until caught up. */
  JsonObject initialPull(int n) throws Exception {
    int port = freshServer();
    {
      server.send("preload " + n);
      server.expect("PRELOADED");
      Tide client = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("s2-" + run + ".db").toString())
        .setSync(new SyncOptions().setUrl(url(port)).setTransport("http"))).await();
      TimedSync timed = timedSync(client);
      SyncResult r = timed.result();
      int readable = client.collection("notes").list().await().size();
      client.close().await();
      if (readable != n || r.pulled() != n) {
        throw new IllegalStateException("S2: pulled " + r.pulled() + ", readable " + readable + " of " + n);
      }
      return new JsonObject().put("figures", timed.figures(n)).put("transport", "http");
    }
  }

  /** S3: N documents written with no transport (outbox = N), then one sync until the outbox is empty. */
  JsonObject offlinePush(int n) throws Exception {
    int port = freshServer();
    {
      Tide client = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("s3-" + run + ".db").toString())
        .setSync(new SyncOptions().setUrl(url(port)).setTransport("http"))).await();
      for (int i = 0; i < n; i += 500) {
        int base = i;
        client.batch(b -> {
          for (int k = base; k < Math.min(n, base + 500); k++) {
            b.put("notes", Docs.id(k), Docs.doc(k));
          }
        }).await();
      }
      if (client.pendingCount().await() != n) {
        throw new IllegalStateException("S3: outbox is not N");
      }
      TimedSync timed = timedSync(client);
      SyncResult r = timed.result();
      long pending = client.pendingCount().await();
      client.close().await();
      server.send("stats");
      long onServer = new JsonObject(server.expect("STATS")).getLong("lastSeq");
      if (pending != 0 || onServer != n) {
        throw new IllegalStateException("S3: pending " + pending + ", server holds " + onServer);
      }
      return new JsonObject().put("figures", timed.figures(n)).put("transport", "http");
    }
  }

  /** S4: A writes one doc every 20 ms; latency until B's event-bus notification (A, B, server: three JVMs). */
  JsonObject liveLatency(int docs) throws Exception {
    int port = freshServer();
    Children a = freshClient(0, port);
    Children b = freshClient(1, port);
    {
      for (Children c : new Children[]{a, b}) {
        c.send("start");
        c.expect("STARTED");
      }
      b.send("watch");
      b.expect("WATCHING");
      a.send("write 20 20 warm");
      a.expect("WROTE");
      b.collect("GOT warm", 20);
      a.send("stats");
      JsonObject a0 = new JsonObject(a.expect("STATS"));
      b.send("stats");
      JsonObject b0 = new JsonObject(b.expect("STATS"));

      a.send("write " + docs + " 20 live");
      Map<String, Long> put = times(a.collect("PUT live", docs));
      Map<String, Long> got = times(b.collect("GOT live", docs));
      a.expect("WROTE");
      a.send("stats");
      JsonObject a1 = new JsonObject(a.expect("STATS"));
      b.send("stats");
      JsonObject b1 = new JsonObject(b.expect("STATS"));

      double[] ms = put.entrySet().stream().mapToDouble(e -> (got.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
      long messages = 2 * (a1.getLong("exchanges") - a0.getLong("exchanges")) + (b1.getLong("pushes") - b0.getLong("pushes"));
      return new JsonObject().put("figures", new JsonObject()
        .put("p50Ms", Stats.round(Stats.quantile(ms, 0.5), 2)).put("p95Ms", Stats.round(Stats.quantile(ms, 0.95), 2))
        .put("p99Ms", Stats.round(Stats.quantile(ms, 0.99), 2)).put("maxMs", Stats.round(ms[ms.length - 1], 2))
        .put("arrived", got.size()).put("messagesPerDoc", Stats.round((double) messages / docs, 2)))
        .put("transport", "websocket").put("messages", "A's requests and responses + B's push frames");
    }
  }

  /** S5: three clients edit every one of N shared docs offline, then sync at t0; time to identical state. */
  JsonObject convergence(int n) throws Exception {
    int port = freshServer();
    {
      server.send("preload " + n);
      server.expect("PRELOADED");
      String winnerNode = null;
      String expected = null;
      for (int i = 0; i < 3; i++) {
        freshClient(i, port);
        clients[i].send("pull");
        clients[i].expect("PULLED");
      }
      for (Children c : clients) { // C1, then C2, then C3 edit every document, offline
        c.send("node");
        String node = c.expect("NODE");
        c.send("edit");
        String digest = c.expect("EDITED");
        // every client's edits carry the same counters (each pulled the same N docs): the greatest node id wins all
        if (winnerNode == null || node.compareTo(winnerNode) > 0) {
          winnerNode = node;
          expected = digest;
        }
      }
      long t0 = System.nanoTime();
      for (Children c : clients) {
        c.send("go " + winnerNode);
      }
      long last = 0;
      for (Children c : clients) {
        String[] state = c.expect("STATE").split(" ");
        if (!state[1].equals(expected)) {
          throw new IllegalStateException("S5: a client holds the winner's stamps but not its documents: " + state[1]);
        }
        last = Math.max(last, Long.parseLong(state[0]));
      }
      double seconds = (last - t0) / 1e9;
      boolean serverAgrees = expected.equals(serverDigest(port));
      if (!serverAgrees) {
        throw new IllegalStateException("S5: the server does not hold the winning state");
      }
      return new JsonObject().put("figures", new JsonObject().put("seconds", Stats.round(seconds, 3))
        .put("winnersAreHighestStamps", true).put("conflictsLeft", 0)).put("transport", "websocket");
    }
  }

  /** What the server holds, through a fresh client (untimed check). */
  private String serverDigest(int port) throws Exception {
    Tide check = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("check-" + run + ".db").toString())
      .setAddressPrefix("check").setSync(new SyncOptions().setUrl(url(port)))).await();
    try {
      check.syncOnce().await();
      return ClientProcess.digest(check);
    } finally {
      check.close().await();
    }
  }

  private static Map<String, Long> times(List<String> lines) {
    Map<String, Long> m = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split(" ");
      m.put(p[0], Long.parseLong(p[1]));
    }
    return m;
  }
}

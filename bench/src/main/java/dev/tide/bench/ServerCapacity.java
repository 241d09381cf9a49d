package dev.tide.bench;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Server capacity: idle WebSocket connections held per GiB (of heap, and of resident memory since Netty
 * buffers live off-heap), and the fan-out latency of 50 writes/s to many connected clients. Server,
 * connections and writer each in their own JVM.
 */
final class ServerCapacity {

  private ServerCapacity() {
  }

  /** {@code connections} idle WebSockets; then, unless {@code writes} is 0, the fan-out of that many writes to all of them. */
  static JsonObject run(int connections, int writes) throws Exception {
    int idleConnections = connections;
    Path dir = Files.createTempDirectory("tide-cap-");
    Children server = Children.start(ServerProcess.class, List.of("-Xmx2g", "-XX:+UseG1GC"), dir.resolve("server.db").toString());
    int port = Integer.parseInt(server.expect("PORT"));
    Children conns = Children.start(ConnectionsProcess.class, List.of("-Xmx2g"), Integer.toString(port));
    Children writer = null;
    try {
      server.send("stats gc");
      JsonObject before = new JsonObject(server.expect("STATS"));
      long rssBefore = rss(server);
      conns.send("open " + idleConnections);
      conns.expect("OPEN");
      server.send("stats gc");
      JsonObject after = new JsonObject(server.expect("STATS"));
      long rssAfter = rss(server);
      double gib = 1024.0 * 1024 * 1024;
      double heapPerConn = (after.getLong("heapUsed") - before.getLong("heapUsed")) / (double) idleConnections;
      double rssPerConn = (rssAfter - rssBefore) / (double) idleConnections;
      JsonObject idle = new JsonObject().put("connections", after.getInteger("webSockets"))
        .put("heapBytesPerConnection", Math.round(heapPerConn)).put("rssBytesPerConnection", Math.round(rssPerConn))
        .put("connectionsPerGiBHeap", Math.round(gib / Math.max(1, heapPerConn)))
        .put("connectionsPerGiBRss", Math.round(gib / Math.max(1, rssPerConn)));

      if (writes == 0) {
        return new JsonObject().put("figures", new JsonObject().put("idle", idle));
      }
      // fan-out: every open connection receives, a writer at 50 writes/s
      writer = Children.start(ClientProcess.class, List.of("-Xmx1g"), dir.resolve("writer.db").toString(),
        "http://127.0.0.1:" + port + "/sync");
      writer.send("start");
      writer.expect("STARTED");
      writer.send("write " + writes + " 20 fan");
      for (String line : writer.collect("PUT fan", writes)) {
        conns.send("put fan" + line);
      }
      writer.expect("WROTE");
      // the report counts what has arrived; give the last pushes a moment by asking the server first
      server.send("stats");
      server.expect("STATS");
      conns.send("report");
      JsonObject fanout = new JsonObject(conns.expect("REPORT")).put("clients", idleConnections).put("writesPerSec", 50)
        .put("writes", writes);
      return new JsonObject().put("figures", new JsonObject().put("idle", idle).put("fanout", fanout));
    } finally {
      if (writer != null) {
        writer.close();
      }
      conns.close();
      server.close();
      S1LocalWrites.deleteTree(dir);
    }
  }

  private static long rss(Children child) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + child.process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}

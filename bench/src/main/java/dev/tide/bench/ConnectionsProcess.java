package dev.tide.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Many raw WebSocket clients in one JVM (what a fleet of devices looks like to the server). Args: port.
 * {@code open N}: N connections, each registered by one sync exchange, then idle ({@code OPEN n});
 * every push frame they receive is timed. {@code put <id> <nanoTime>} lines tell when the writer's
 * put completed; {@code report} prints the latency percentiles of every (connection, document) pair.
 */
public final class ConnectionsProcess {

  private ConnectionsProcess() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
      .setMaxMessageSize(32 << 20));
    List<WebSocket> sockets = new ArrayList<>();
    Map<String, ConcurrentLinkedQueue<Long>> received = new ConcurrentHashMap<>();
    Map<String, Long> puts = new HashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split(" ");
      switch (cmd[0]) {
        case "open" -> {
          int n = Integer.parseInt(cmd[1]);
          for (int i = 0; i < n; i += 200) { // in waves, so the handshakes do not all queue at once
            List<Future<WebSocket>> wave = new ArrayList<>();
            for (int k = i; k < Math.min(n, i + 200); k++) {
              wave.add(open(client, port, "c" + k, received));
            }
            Future.all(wave).await();
            wave.forEach(f -> sockets.add(f.result()));
          }
          System.out.println("OPEN " + sockets.size());
        }
        case "put" -> puts.put(cmd[1], Long.parseLong(cmd[2]));
        case "report" -> {
          // wait (at most 10 s) for pushes still in flight, so they count as late rather than missing
          long deadline = System.nanoTime() + 10_000_000_000L;
          while (System.nanoTime() < deadline && puts.keySet().stream().anyMatch(id ->
            received.getOrDefault(id, new ConcurrentLinkedQueue<>()).size() < sockets.size())) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
          }
          List<Long> latencies = new ArrayList<>();
          int missing = 0;
          for (Map.Entry<String, Long> p : puts.entrySet()) {
            ConcurrentLinkedQueue<Long> got = received.getOrDefault(p.getKey(), new ConcurrentLinkedQueue<>());
            missing += sockets.size() - got.size();
            got.forEach(t -> latencies.add(t - p.getValue()));
          }
          double[] ms = latencies.stream().mapToDouble(l -> l / 1e6).sorted().toArray();
          JsonObject r = new JsonObject().put("samples", ms.length).put("missing", missing);
          if (ms.length > 0) {
            r.put("p50", Stats.round(Stats.quantile(ms, 0.50), 2)).put("p95", Stats.round(Stats.quantile(ms, 0.95), 2))
              .put("p99", Stats.round(Stats.quantile(ms, 0.99), 2)).put("max", Stats.round(ms[ms.length - 1], 2));
          }
          System.out.println("REPORT " + r.encode());
        }
        case "quit" -> {
          vertx.close().await();
          System.out.println("BYE");
          System.exit(0);
        }
        default -> System.out.println("ERR unknown command " + line);
      }
      System.out.flush();
    }
  }

  /** Connects, registers with one exchange (so the server pushes to it), records push arrival times. */
  private static Future<WebSocket> open(WebSocketClient client, int port, String node, Map<String, ConcurrentLinkedQueue<Long>> received) {
    Promise<WebSocket> registered = Promise.promise();
    client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/sync/ws")).onComplete(ar -> {
      if (ar.failed()) {
        registered.fail(ar.cause());
        return;
      }
      WebSocket ws = ar.result();
      ws.textMessageHandler(text -> {
        long now = System.nanoTime();
        // a cheap scan, not a JSON parse: these receivers share the machine with the server they measure
        if (text.startsWith("{\"type\":\"result\"")) {
          registered.tryComplete(ws);
        } else if (text.startsWith("{\"type\":\"changes\"")) {
          for (int at = text.indexOf("\"id\":\""); at >= 0; at = text.indexOf("\"id\":\"", at + 1)) {
            int start = at + 6;
            String id = text.substring(start, text.indexOf('"', start));
            received.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(now);
          }
        }
      });
      ws.writeTextMessage(new JsonObject().put("type", "sync").put("id", 1).put("request", new JsonObject()
        .put("protocol", 1).put("node_id", node).put("cursor", null).put("limit", 1)).encode());
    });
    return registered.future();
  }

}

package dev.tide.tests.reliability;

import dev.tide.core.Tide;
import dev.tide.server.TideServerMain;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.server.PgTestSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server process is SIGKILLed while three clients push concurrently, then restarted on the same
 * store and port (its SQLite file, or its PostgreSQL schema). Clients that got no answer retry; everyone
 * converges; every op is on the server once.
 */
@ExtendWith(VertxExtension.class)
class ServerCrashTest {

  static final int CLIENTS = 3;
  static final int WRITES = 150;

  @TempDir
  Path dir;

  /** @param store {@code --db PATH} or {@code --postgres URL} */
  static Process startServer(int port, String... store) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), TideServerMain.class.getName(),
      "--port", Integer.toString(port)));
    command.addAll(List.of(store));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.contains("listening on")) {
      // startup output
    }
    assertTrue(line != null, "server did not start");
    Thread drain = new Thread(() -> {
      try {
        while (in.readLine() != null) {
          // keep the pipe flowing
        }
      } catch (Exception ignored) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  /** Every client has {@code total} notes and nothing pending. */
  static void awaitConvergence(List<Tide> clients, int total) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (Tide t : clients) {
        if (t.pendingCount().await() != 0 || t.collection("notes").list().await().size() != total) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  void clientsRetryAndConvergeAfterTheServerIsKilledUnderLoad(Vertx vertx) throws Exception {
    killedUnderLoad(vertx, true, "--db", dir.resolve("server.db").toString());
  }

  /** The same on PostgreSQL: the killed server's open transactions are rolled back by the database. */
  @Test
  void onPostgresToo(Vertx vertx) throws Exception {
    try (PgTestSchema schema = PgTestSchema.create(vertx)) {
      // its sequence may have gaps (an op that did not apply takes one), so only the changes are counted
      killedUnderLoad(vertx, false, "--postgres", schema.url());
    }
  }

  private void killedUnderLoad(Vertx vertx, boolean denseSequence, String... store) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process server = startServer(port, store);
    SyncFixture fx = new SyncFixture(vertx, dir);
    List<Tide> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        String transport = i % 2 == 0 ? "websocket" : "http";
        Tide t = fx.client("c" + i, s -> s.setUrl(SyncFixture.url(port)).setTransport(transport).setIntervalMs(50)
          .setBackoffInitialMs(20).setBackoffMaxMs(200).setHeartbeatMs(200));
        t.startSync().await();
        clients.add(t);
      }
      for (int n = 0; n < WRITES; n++) {
        if (n == WRITES / 2) {
          server.toHandle().destroyForcibly(); // SIGKILL with pushes in flight
          assertTrue(server.waitFor(30, TimeUnit.SECONDS));
        }
        if (n == WRITES / 2 + 20) {
          server = startServer(port, store); // same store, same port
        }
        List<Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          puts.add(clients.get(i).collection("notes").put("c" + i + "-" + n, new JsonObject().put("n", n)));
        }
        Future.all(puts).await();
        vertx.timer(2).await(); // pacing: background syncs interleave with the writes
      }
      int total = CLIENTS * WRITES;
      try {
        awaitConvergence(clients, total);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        StringBuilder state = new StringBuilder("no convergence:");
        for (Tide t : clients) {
          state.append("\n  ").append(t.nodeId()).append(' ').append(t.syncStatus().await().toJson().encode())
            .append(" docs=").append(t.collection("notes").list().await().size());
        }
        throw new AssertionError(state.toString(), e);
      }
      // every op on the server, each applied once (the sequence counts one per applied op)
      JsonObject last = new JsonObject(WebClient.create(vertx).post(port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("protocol", 1).put("node_id", "checker").put("cursor", null).put("limit", 10_000).toBuffer())
        .await().bodyAsString());
      assertEquals(total, last.getJsonArray("changes").size());
      if (denseSequence) {
        assertTrue(last.getString("cursor").endsWith("." + total), last.getString("cursor"));
      }
    } finally {
      for (Tide t : clients) {
        t.close().await();
      }
      server.toHandle().destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }
}

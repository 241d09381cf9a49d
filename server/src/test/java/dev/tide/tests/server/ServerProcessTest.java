package dev.tide.tests.server;

import dev.tide.server.TideServerMain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server as a real process: SIGKILL right after 200s loses nothing; SIGTERM finishes in-flight requests. */
@ExtendWith(VertxExtension.class)
class ServerProcessTest {

  private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  /** A server child JVM; its stdout lines are queued for the test to wait on. */
  static final class Child {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    /** Every line so far ({@link #await} takes lines off {@link #lines}). */
    final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    final int port;

    Child(Path db) throws Exception {
      this(db, true);
    }

    /** @param awaitListening false to return at once, with {@link #port} unknown (-1) */
    Child(Path db, boolean awaitListening) throws Exception {
      this(db, awaitListening, List.of());
    }

    /** @param jvmOptions options of the child JVM (e.g. a small heap) */
    Child(Path db, boolean awaitListening, List<String> jvmOptions) throws Exception {
      List<String> command = new ArrayList<>(List.of(javaBin()));
      command.addAll(jvmOptions);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), TideServerMain.class.getName(),
        "--port", "0", "--db", db.toString()));
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            all.add(line);
            lines.add(line);
          }
        } catch (Exception ignored) {
          // process gone
        }
      });
      reader.setDaemon(true);
      reader.start();
      if (!awaitListening) {
        port = -1;
        return;
      }
      Matcher m = LISTENING.matcher(await("listening on"));
      assertTrue(m.find());
      port = Integer.parseInt(m.group(1));
    }

    String await(String fragment) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line != null && line.contains(fragment)) {
          return line;
        }
      }
      throw new AssertionError("no line with '" + fragment + "'");
    }
  }

  static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  @Test
  void everyAcknowledgedOpSurvivesSigkill(Vertx vertx) throws Exception {
    Path db = dir.resolve("kill.db");
    Child child = new Child(db);
    WebClient client = WebClient.create(vertx);
    List<String> acked = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String id = "k" + i;
      JsonObject req = ServerFixture.request("killer", null, ServerFixture.op("n", id, i + 1, "killer", new JsonObject().put("i", i)));
      inFlight.add(client.post(child.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(req.toBuffer()).onSuccess(r -> {
          if (r.statusCode() == 200) {
            synchronized (acked) {
              acked.add(id);
            }
          }
        }));
      if (i == 200) {
        // kill while requests are still in flight, right after some were answered
        Future.any(inFlight).await();
        child.process.toHandle().destroyForcibly();
      }
    }
    Future.join(inFlight).transform(ar -> Future.succeededFuture()).await();
    assertTrue(child.process.waitFor(30, TimeUnit.SECONDS));
    List<String> ackedNow;
    synchronized (acked) {
      ackedNow = new ArrayList<>(acked);
    }
    assertFalse(ackedNow.isEmpty());

    Child restarted = new Child(db);
    try {
      JsonObject all = new JsonObject();
      String cursor = null;
      do {
        HttpResponse<Buffer> r = client.post(restarted.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
          .sendBuffer(ServerFixture.request("reader", cursor).put("limit", 10_000).toBuffer()).await();
        JsonObject body = r.bodyAsJsonObject();
        body.getJsonArray("changes").forEach(c -> all.put(((JsonObject) c).getString("id"), c));
        cursor = body.getBoolean("more") ? body.getString("cursor") : null;
      } while (cursor != null);
      for (String id : ackedNow) {
        assertNotNull(all.getValue(id), "acknowledged op " + id + " lost");
      }
    } finally {
      restarted.process.destroy();
      restarted.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void sigtermFinishesTheRequestInFlightAndClosesCleanly(Vertx vertx) throws Exception {
    Path db = dir.resolve("term.db");
    Child child = new Child(db);
    Buffer body = ServerFixture.request("t", null, ServerFixture.op("n", "late", 1, "t", new JsonObject().put("v", 1))).toBuffer();
    NetClient net = vertx.createNetClient();
    NetSocket socket = net.connect(child.port, "127.0.0.1").await();
    Buffer response = Buffer.buffer();
    io.vertx.core.Promise<Void> ended = io.vertx.core.Promise.promise();
    socket.handler(response::appendBuffer).closeHandler(v -> ended.tryComplete());
    // the request has started (headers and half of the body) when SIGTERM arrives
    socket.write("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
      + "\r\nConnection: close\r\n\r\n").await();
    socket.write(body.getBuffer(0, body.length() / 2)).await();
    waitForRequestStart(vertx);
    child.process.toHandle().destroy(); // SIGTERM
    child.await("tide server stopping");
    socket.write(body.getBuffer(body.length() / 2, body.length())).await();
    ended.future().await();
    assertTrue(response.toString().startsWith("HTTP/1.1 200"), response.toString());
    assertTrue(child.process.waitFor(60, TimeUnit.SECONDS));
    child.await("tide server stopped");
    assertFalse(Files.exists(Path.of(db + "-wal")), "SQLite closed cleanly (WAL checkpointed and removed)");

    Child again = new Child(db);
    try {
      HttpResponse<Buffer> r = WebClient.create(vertx).post(again.port, "127.0.0.1", "/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(ServerFixture.request("reader", null).toBuffer()).await();
      assertEquals("late", r.bodyAsJsonObject().getJsonArray("changes").getJsonObject(0).getString("id"));
    } finally {
      again.process.destroy();
      again.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * SIGTERM while the server still opens its store (here it waits for a write lock another connection
   * holds) stops it cleanly once the open is done: the store is closed, its WAL checkpointed and removed.
   * Was a bug: the shutdown hook was registered only after the start, so the JVM exited in the middle of it.
   */
  @Test
  void sigtermDuringStartUpStopsCleanlyOnceTheStoreIsOpen() throws Exception {
    Path db = dir.resolve("starting.db");
    Child child;
    try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = holder.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("BEGIN IMMEDIATE"); // the server's open waits for this lock (its busy timeout is 10 s)
      child = new Child(db, false);
      // the store's lock file: the open has begun, and cannot finish while the lock is held
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(Path.of(db + ".lock")));
      child.process.toHandle().destroy(); // SIGTERM
      child.await("tide server stopping");
      st.execute("ROLLBACK");
    }
    assertTrue(child.process.waitFor(60, TimeUnit.SECONDS));
    child.await("tide server stopped");
    assertEquals(143, child.process.exitValue());
    assertFalse(child.all.stream().anyMatch(l -> l.contains("listening on")), "no 'listening' while stopping: " + child.all);
    assertFalse(Files.exists(Path.of(db + "-wal")), "SQLite closed cleanly (WAL checkpointed and removed)");

    Child again = new Child(db);
    again.process.destroy();
    assertTrue(again.process.waitFor(30, TimeUnit.SECONDS));
  }

  /** Lets the server read what was written so far: a loopback round trip through the event loop. */
  private static void waitForRequestStart(Vertx vertx) {
    io.vertx.core.Promise<Void> p = io.vertx.core.Promise.promise();
    vertx.setTimer(200, t -> p.complete());
    p.future().await();
  }
}

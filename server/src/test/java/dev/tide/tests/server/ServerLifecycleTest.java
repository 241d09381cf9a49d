package dev.tide.tests.server;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerMain;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing with exchanges in flight, a start that fails, and options that refuse bad values. */
@ExtendWith(VertxExtension.class)
class ServerLifecycleTest {

  @TempDir
  Path dir;

  /** Every exchange (a push, then its pull) in flight when the server closes completes, one way or the other. */
  @Test
  void closingCompletesEveryExchangeInFlight(Vertx vertx) {
    TideServer server = TideServer.open(vertx, new TideServerOptions().setDbPath(dir.resolve("s.db").toString())).await();
    ServerStore store = server.store();
    List<Change> ops = new ArrayList<>();
    String blob = "x".repeat(200);
    for (int i = 0; i < 5000; i++) {
      ops.add(Change.ofJson("notes", "d" + i, new Stamp(i + 1, "n"), "{\"b\":\"" + blob + "\"}", ChangeSource.REMOTE));
    }
    List<Future<?>> pushes = new ArrayList<>();
    List<Future<?>> exchanges = new ArrayList<>();
    Future<Void> closed = vertx.getOrCreateContext().<Void>executeBlocking(() -> null).compose(v -> {
      for (int k = 0; k < 4; k++) {
        String node = "c" + k;
        Future<?> push = store.push("", ops);
        pushes.add(push);
        exchanges.add(push.compose(r -> store.pull("", 0, node, 10, 1 << 20)));
      }
      return server.close();
    });
    closed.await();
    Future.join(pushes).await(); // committed before the writer closed
    Future.join(exchanges).transform(ar -> Future.succeededFuture()).await(); // no pull hangs: each is read or refused
  }

  /** A start that fails (its port is taken) closes the store it opened: the next start finds the file free. */
  @Test
  void aFailedStartLeavesTheFileFree(Vertx vertx) throws Exception {
    String db = dir.resolve("p.db").toString();
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      TideServerOptions busyPort = new TideServerOptions().setDbPath(db).setPort(taken.getLocalPort());
      assertThrows(Exception.class, () -> vertx.deployVerticle(new TideServerVerticle(busyPort)).await());
    }
    String id = vertx.deployVerticle(new TideServerVerticle(new TideServerOptions().setDbPath(db).setPort(0))).await();
    vertx.undeploy(id).await();
  }

  /** A null to open fails its future, naming it, as the client's open does (it threw a NullPointerException). */
  @Test
  void openWithANullFailsItsFuture(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setDbPath(dir.resolve("n.db").toString());
    Map<String, java.util.function.Supplier<Future<?>>> opens = Map.of(
      "options", () -> TideServer.open(vertx, null),
      "vertx", () -> TideServer.open(null, options),
      "options ", () -> TideServer.openSqliteStore(vertx, null),
      "vertx ", () -> TideServer.openSqliteStore(null, options));
    opens.forEach((name, open) -> {
      Future<?> f = assertDoesNotThrow(open::get, name);
      Throwable cause = f.transform(ar -> Future.succeededFuture(ar.cause())).await();
      assertEquals(name.trim() + " must not be null", assertInstanceOf(IllegalArgumentException.class, cause).getMessage());
    });
  }

  @Test
  void optionsRefuseBadValuesWhenSetOrRead() {
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setPort(70_000));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxLimit(0));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxBodyBytes(-1));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxBufferedBodyBytes(0));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("port", "8000")));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("defaultLimit", 0)));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("maxBodyBytes", 4294967297L)));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("port", 4294967297L)));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("postgresTimeoutSeconds", 0)));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions(new JsonObject().put("postgresTimeoutSeconds", 86_401)));
    assertEquals(7, new TideServerOptions(new TideServerOptions().setPostgresTimeoutSeconds(7).toJson()).getPostgresTimeoutSeconds());
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setTombstoneRetentionSeconds(-5));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxDocumentBytes(100 << 20));
    // its parser reads no more ops than the protocol's 10,000: a higher setting could never be met
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setMaxOpsPerRequest(SyncProtocol.MAX_OPS + 1));
    // above the protocol's 16 MiB a body could never be parsed: refused when set, not at the first large request
    IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
      () -> new TideServerOptions().setMaxBodyBytes(SyncProtocol.MAX_REQUEST_BYTES + 1));
    assertTrue(tooLarge.getMessage().contains("maxBodyBytes"), tooLarge.getMessage());
    assertEquals(SyncProtocol.MAX_REQUEST_BYTES, new TideServerOptions().setMaxBodyBytes(SyncProtocol.MAX_REQUEST_BYTES).getMaxBodyBytes());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> new TideServerOptions(new JsonObject().put("maxBodyBytes", 1.9)));
    assertTrue(e.getMessage().contains("maxBodyBytes must be a whole number"), e.getMessage());
    // a null names its field (it was a NullPointerException without a message)
    java.util.Map<String, org.junit.jupiter.api.function.Executable> nulls = java.util.Map.of(
      "host", () -> new TideServerOptions().setHost(null),
      "dbPath", () -> new TideServerOptions().setDbPath(null),
      "synchronous", () -> new TideServerOptions().setSynchronous(null));
    nulls.forEach((field, set) -> assertEquals(field + " must not be null", assertThrows(IllegalArgumentException.class, set).getMessage()));
    // an in-memory or URI name failed only at open, leaving a stray lock file
    for (String path : List.of("", ":memory:", "file:s.db")) {
      String refused = "dbPath must be a file's path (not an in-memory database or an SQLite URI), got \"" + path + "\"";
      assertEquals(refused, assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setDbPath(path)).getMessage());
      assertEquals(refused, assertThrows(IllegalArgumentException.class,
        () -> new TideServerOptions(new JsonObject().put("dbPath", path))).getMessage());
    }
    TideServerOptions good = new TideServerOptions(new JsonObject().put("port", 0).put("shutdownGraceSeconds", 0));
    assertEquals(good.toJson(), new TideServerOptions(good.toJson()).toJson());
  }

  /** --help prints the usage (exit 0); an unknown flag or config key is a usage error (exit 2). */
  @Test
  void helpAndUnknownSettings() throws Exception {
    Main help = run("--help");
    assertEquals(0, help.exit, help.out);
    assertTrue(help.out.startsWith("usage: java -jar tide-server.jar"), help.out);
    Main bogus = run("--bogus");
    assertEquals(2, bogus.exit, bogus.out);
    assertTrue(bogus.out.startsWith("tide-server: unknown option --bogus"), bogus.out);
    Path config = dir.resolve("typo.json");
    Files.writeString(config, "{\"dbpath\":\"x.db\"}");
    Main typo = run("--config", config.toString());
    assertEquals(2, typo.exit, typo.out);
    assertTrue(typo.out.startsWith("tide-server: unknown setting \"dbpath\""), typo.out);
    // an empty host (TIDE_HOST= or --host "") is a usage error: it was exit 1, "cannot start", after the store opened
    Main noHost = run("--host", "", "--port", "0", "--db", dir.resolve("e.db").toString());
    assertEquals(2, noHost.exit, noHost.out);
    assertTrue(noHost.out.startsWith("tide-server: host must not be empty"), noHost.out);
  }

  private record Main(int exit, String out) {
  }

  private static Main run(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), TideServerMain.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Main(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /**
   * A retention too long to count in milliseconds ("keep them for ever", Long.MAX_VALUE) keeps every
   * tombstone: its milliseconds overflowed and the purge removed every tombstone, new ones too.
   */
  @Test
  void aRetentionTooLongToCountInMillisecondsPurgesNothing(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setDbPath(dir.resolve("r.db").toString())
      .setTombstoneRetentionSeconds(Long.MAX_VALUE).setPurgeIntervalSeconds(1);
    ServerStore sqlite = TideServer.openSqliteStore(vertx, options).await();
    io.vertx.core.Promise<Long> purged = io.vertx.core.Promise.promise();
    ServerStore store = new dev.tide.server.spi.ForwardingServerStore(sqlite) {
      @Override
      public Future<Long> purgeTombstones(long committedBeforeMillis) {
        return super.purgeTombstones(committedBeforeMillis).andThen(purged); // the first purge's outcome
      }
    };
    store.push("", List.of(Change.ofJson("notes", "gone", new Stamp(1, "n"), null, ChangeSource.REMOTE))).await();
    TideServer server = TideServer.create(vertx, options, store);
    try {
      assertEquals(0L, purged.future().await()); // the timer's first run, a second later
      assertEquals(0L, store.purgedSeq());
    } finally {
      server.close().await();
    }
  }

  /**
   * A purge interval too long to count in milliseconds opens: its milliseconds overflowed, the purge timer
   * was refused ("delay < 1 ms") and the open failed leaving its store open, so the file stayed locked.
   */
  @Test
  void aPurgeIntervalTooLongToCountInMillisecondsOpens(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setDbPath(dir.resolve("i.db").toString())
      .setPurgeIntervalSeconds(Long.MAX_VALUE);
    TideServer.open(vertx, options).await().close().await();
    TideServer.open(vertx, options).await().close().await(); // the file is free again
  }

  /** A closed server's health check says so (it answered 200 for ever). */
  @Test
  void healthIsUnavailableOnceClosed(Vertx vertx) {
    TideServer server = TideServer.open(vertx, new TideServerOptions().setDbPath(dir.resolve("h.db").toString())).await();
    var http = vertx.createHttpServer().requestHandler(server.router()).listen(0, "127.0.0.1").await();
    try {
      var client = io.vertx.ext.web.client.WebClient.create(vertx);
      assertEquals(200, client.get(http.actualPort(), "127.0.0.1", "/health").send().await().statusCode());
      server.close().await();
      var closed = client.get(http.actualPort(), "127.0.0.1", "/health").send().await();
      assertEquals(503, closed.statusCode());
      assertEquals("unavailable", closed.bodyAsJsonObject().getJsonObject("error").getString("code"));
    } finally {
      http.close().await();
    }
  }

  /** A mistyped config file is a usage error (exit 2, a one-line message), not a stack trace. */
  @Test
  void aMistypedConfigFileIsAUsageError() throws Exception {
    Path config = dir.resolve("bad.json");
    Files.writeString(config, "{\"port\":\"8000\"}");
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TideServerMain.class.getName(),
      "--config", config.toString(), "--db", dir.resolve("m.db").toString()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.startsWith("tide-server: invalid TideServerOptions JSON"), out);
  }
}

package dev.tide.tests.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.server.ServerAuthenticator;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** A real server (its own SQLite file, loopback port) and clients syncing with it over HTTP. */
public final class SyncFixture {

  public final Vertx vertx;
  public final Path dir;
  public TideServer server;
  public HttpServer http;
  private boolean serverRunning;
  private final java.util.List<Tide> clients = new java.util.ArrayList<>();
  private final Map<String, Tide> byName = new java.util.HashMap<>();

  public SyncFixture(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  public SyncFixture startServer() {
    return startServer(new TideServerOptions(), null, null);
  }

  /** Starts (or restarts, on the same file) the server; {@code store} replaces the SQLite store if given. */
  public SyncFixture startServer(TideServerOptions options, ServerAuthenticator auth, java.util.function.Function<ServerStore, ServerStore> wrap) {
    TideServerOptions opts = new TideServerOptions(options).setDbPath(dir.resolve("server.db").toString());
    server = wrap == null ? TideServer.open(vertx, opts).await()
      : TideServer.create(vertx, opts, wrap.apply(TideServer.openSqliteStore(vertx, opts).await()));
    if (auth != null) {
      server.authenticator(auth);
    }
    int port = http == null ? 0 : http.actualPort();
    http = vertx.createHttpServer(TideServer.httpServerOptions(opts)).requestHandler(server.router()).listen(port, "127.0.0.1").await();
    serverRunning = true;
    return this;
  }

  /** Stops the server if it runs (its file stays: {@link #startServer} restarts it on the same port). */
  public void stopServer() {
    if (serverRunning) {
      serverRunning = false;
      http.close().await();
      server.close().await();
    }
  }

  /** Closes every client this fixture opened (closing one twice is harmless), then stops the server. */
  public void close() {
    clients.forEach(c -> c.close().await());
    clients.clear();
    stopServer();
  }

  public int port() {
    return http.actualPort();
  }

  public String url() {
    return url(port());
  }

  public static String url(int port) {
    return "http://127.0.0.1:" + port + "/sync";
  }

  public Tide client(String name, Consumer<SyncOptions> sync) {
    SyncOptions so = new SyncOptions().setUrl(http == null ? null : url()).setBackoffInitialMs(20).setBackoffMaxMs(200).setIntervalMs(60_000);
    sync.accept(so);
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve(name + ".db").toString()).setAddressPrefix(name).setSync(so)).await();
    clients.add(tide);
    byName.put(name, tide);
    return tide;
  }

  public Tide client(String name) {
    return client(name, s -> { });
  }

  /** The server's documents: "collection/id" → {stamp, doc or deleted}. */
  public Map<String, JsonObject> serverState() {
    List<StoredChange> all = server.store().pull("", 0, "-", 1_000_000, Integer.MAX_VALUE).await().changes();
    Map<String, JsonObject> state = new TreeMap<>();
    for (StoredChange c : all) {
      JsonObject v = new JsonObject().put("stamp", c.stamp().toJson());
      state.put(c.collection() + "/" + c.id(), c.deleted() ? v.put("deleted", true) : v.put("doc", new JsonObject(c.body())));
    }
    return state;
  }

  /**
   * The client's pending count (kept by its writer as rows come and go) equals the rows of its outbox
   * table, once anything in flight (a push being applied) has settled. Skipped for a closed client.
   */
  public void assertPendingCounted(String name) {
    Tide tide = byName.get(name);
    if (tide == null || tide.pendingCount().failed()) {
      return;
    }
    String path = dir.resolve(name + ".db").toString();
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
      org.junit.jupiter.api.Assertions.assertEquals(((Number) Sql.query(path, "SELECT count(*) FROM tide_outbox").get(0).get(0)).longValue(),
        tide.pendingCount().await(), name + ": pending count vs outbox rows"));
  }

  /** A client's documents, tombstones included, in the same form. */
  public Map<String, JsonObject> clientState(String name) {
    assertPendingCounted(name);
    Map<String, JsonObject> state = new TreeMap<>();
    for (List<Object> row : Sql.query(dir.resolve(name + ".db").toString(),
      "SELECT collection, id, counter, node, deleted, body FROM tide_docs")) {
      JsonObject v = new JsonObject().put("stamp", new JsonObject().put("counter", ((Number) row.get(2)).longValue()).put("node", row.get(3)));
      state.put(row.get(0) + "/" + row.get(1), ((Number) row.get(4)).intValue() != 0 ? v.put("deleted", true)
        : v.put("doc", new JsonObject((String) row.get(5))));
    }
    return state;
  }
}

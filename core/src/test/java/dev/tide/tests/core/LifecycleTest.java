package dev.tide.tests.core;

import dev.tide.core.StoreException;
import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening that fails, closing with sync calls pending or after it, and options that refuse bad values. */
@ExtendWith(VertxExtension.class)
class LifecycleTest {

  @TempDir
  Path dir;

  /** A transport that never reaches a server: every exchange fails at once. */
  static final SyncTransportFactory UNREACHABLE = SyncTransportFactory.of("unreachable", (v, o) -> new SyncTransport() {
    @Override
    public Future<dev.tide.core.SyncResponse> exchange(dev.tide.core.SyncRequest request) {
      return Future.failedFuture(new SyncException(503, "unavailable", "no server", null));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  });

  TideOptions options(String name) {
    return new TideOptions().setDbPath(dir.resolve(name).toString());
  }

  @Test
  void aFailedOpenLeavesTheFileFreeForTheNextOpen(Vertx vertx) {
    TideOptions noUrl = options("a.db").setSync(new SyncOptions());
    assertThrows(RuntimeException.class, () -> Tide.open(vertx, noUrl).await());
    Tide.open(vertx, options("a.db")).await().close().await();

    TideOptions broken = options("b.db").setSync(new SyncOptions().setUrl("http://127.0.0.1:9/sync")
      .setTransportFactory(SyncTransportFactory.of("broken", (v, o) -> {
        throw new IllegalStateException("no transport");
      })));
    for (int i = 0; i < 3; i++) {
      assertThrows(IllegalStateException.class, () -> Tide.open(vertx, broken).await());
    }
    Tide.open(vertx, options("b.db")).await().close().await();
  }

  @Test
  void syncCallsFailOnceTheStoreIsClosed(Vertx vertx) {
    Tide tide = Tide.open(vertx, options("c.db").setSync(new SyncOptions().setUrl("http://127.0.0.1:9/sync")
      .setTransportFactory(UNREACHABLE))).await();
    Future<Void> initial = tide.initialSync(); // never caught up: the server cannot be reached
    tide.close().await();
    assertInstanceOf(StoreException.class, initial.transform(ar -> Future.succeededFuture(ar.cause())).await());
    for (Future<?> call : List.of(tide.startSync(), tide.stopSync(), tide.syncOnce(), tide.initialSync(),
      tide.startSync(java.time.Duration.ofSeconds(1)))) {
      assertInstanceOf(StoreException.class, call.transform(ar -> Future.succeededFuture(ar.cause())).await());
    }
  }

  /** Calls that cannot run fail their future instead of throwing: no sync configured, a throwing batch lambda, a null interval. */
  @Test
  void callsThatCannotRunFailTheirFuture(Vertx vertx) {
    Tide local = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("local.db").toString())).await();
    assertInstanceOf(IllegalStateException.class, failure(local.syncOnce()));
    assertInstanceOf(IllegalStateException.class, failure(local.startSync()));
    assertInstanceOf(IllegalStateException.class, failure(local.syncStatus()));
    assertInstanceOf(IllegalStateException.class, failure(local.initialSync()));
    assertInstanceOf(IllegalArgumentException.class, failure(local.startSync(null)));
    RuntimeException mine = new RuntimeException("mine");
    assertEquals(mine, failure(local.batch(b -> {
      b.put("notes", "a", new io.vertx.core.json.JsonObject());
      throw mine;
    })));
    assertEquals(null, local.collection("notes").get("a").await(), "nothing of the failed batch");
    local.close().await();
    assertInstanceOf(dev.tide.core.StoreException.class, failure(local.syncOnce()));
    assertInstanceOf(dev.tide.core.StoreException.class, failure(local.syncStatus()));
  }

  /** A null to open fails its future, naming it, like every other call (it threw a NullPointerException). */
  @Test
  void openWithANullFailsItsFuture(Vertx vertx) {
    Future<Tide> noOptions = assertDoesNotThrow(() -> Tide.open(vertx, null));
    assertEquals("options must not be null", assertInstanceOf(IllegalArgumentException.class, failure(noOptions)).getMessage());
    Future<Tide> noVertx = assertDoesNotThrow(() -> Tide.open(null, options("n.db")));
    assertEquals("vertx must not be null", assertInstanceOf(IllegalArgumentException.class, failure(noVertx)).getMessage());
  }

  private static Throwable failure(Future<?> f) {
    return f.transform(ar -> Future.succeededFuture(ar.cause())).await();
  }

  /**
   * close() completes on its caller's context, like every other future of the API: the verticle that
   * opened the store (its context is the store's) and another one each go on on their own event loop.
   */
  @Test
  void closeCompletesOnTheCallersContext(Vertx vertx) {
    for (boolean opener : new boolean[] {true, false}) {
      io.vertx.core.Context ctx = vertx.getOrCreateContext();
      io.vertx.core.Promise<Tide> opened = io.vertx.core.Promise.promise();
      ctx.runOnContext(v -> Tide.open(vertx, options("ctx-" + opener + ".db")).onComplete(opened));
      Tide tide = opened.future().await();
      io.vertx.core.Context caller = opener ? ctx : vertx.getOrCreateContext();
      io.vertx.core.Promise<Boolean> onCaller = io.vertx.core.Promise.promise();
      caller.runOnContext(v -> tide.close().onComplete(ar -> onCaller.complete(Vertx.currentContext() == caller)));
      assertTrue(onCaller.future().await(), (opener ? "the opener's" : "another") + " context: close completed elsewhere");
    }
  }

  /** Two open stores on one address prefix would hear each other's changes: the second is refused until the first closes. */
  @Test
  void oneAddressPrefixPerOpenStore(Vertx vertx) {
    Tide first = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("p1.db").toString())).await();
    Throwable refused = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("p2.db").toString()))
      .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertInstanceOf(dev.tide.core.StoreException.class, refused);
    assertTrue(refused.getMessage().contains("addressPrefix 'tide' is used by another open store"), refused.getMessage());
    Tide other = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("p2.db").toString()).setAddressPrefix("other")).await();
    first.close().await();
    Tide again = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("p2.db").toString().replace("p2", "p3"))).await();
    again.close().await();
    other.close().await();
  }

  /**
   * A prefix inside another store's change addresses is refused too. Was a bug: with prefixes "a" and
   * "a.changes" both open, a write to collection "changes" of the first was published on "a.changes.changes",
   * the second store's address(), and its consumers took it for one of their own store's changes.
   */
  @Test
  void aPrefixWithinAnotherStoresAddressesIsRefused(Vertx vertx) {
    Tide first = Tide.open(vertx, options("o1.db").setAddressPrefix("a")).await();
    for (String prefix : new String[]{"a.changes", "a.changes.x"}) {
      Throwable refused = Tide.open(vertx, options("o2.db").setAddressPrefix(prefix))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
      assertInstanceOf(StoreException.class, refused, prefix);
      assertTrue(refused.getMessage().contains("addressPrefix '" + prefix + "'"), refused.getMessage());
    }
    first.close().await();
    // the other way round: the wider prefix opened second
    Tide inner = Tide.open(vertx, options("o2.db").setAddressPrefix("a.changes")).await();
    Throwable refused = Tide.open(vertx, options("o1.db").setAddressPrefix("a"))
      .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertInstanceOf(StoreException.class, refused);
    // prefixes that only look alike share no address
    Tide apart = Tide.open(vertx, options("o3.db").setAddressPrefix("a.changesx")).await();
    apart.close().await();
    inner.close().await();
  }

  @Test
  void optionsRefuseBadValuesWhenSetOrRead() {
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setIntervalMs(0));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setPullLimit(0));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setRequestTimeoutMs(-1));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("intervalMs", -1)));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("pushBatchOps", "many")));
    assertThrows(IllegalArgumentException.class, () -> new TideOptions().setReadCacheSize(-5));
    assertThrows(IllegalArgumentException.class, () -> new TideOptions(new JsonObject().putNull("dbPath")));
    assertThrows(IllegalArgumentException.class, () -> new TideOptions(new JsonObject().put("readCacheSize", -5)));
    assertThrows(IllegalArgumentException.class, () -> new TideOptions(new JsonObject().put("sync", new JsonObject()
      .put("pullLimit", 0))));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setUrl("not a url"));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setUrl("ftp://127.0.0.1/sync"));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("url", "127.0.0.1:8000/sync")));
    assertEquals("ws://127.0.0.1:8000/sync/ws", new SyncOptions().setUrl("ws://127.0.0.1:8000/sync/ws").getUrl());
    // numbers are not truncated, and a wrong value names its field
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("pullLimit", 4294967297L)));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("pullLimit", 1.5)));
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().putNull("intervalMs")));
    assertEquals(2000, new SyncOptions(new JsonObject().put("pullLimit", 2000.0)).getPullLimit());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
      () -> new TideOptions(new JsonObject().put("synchronous", "bogus")));
    assertTrue(e.getMessage().contains("synchronous must be one of [NORMAL, FULL]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new TideOptions(new JsonObject().put("changesAsJson", "yes")));
    assertTrue(e.getMessage().contains("changesAsJson"), e.getMessage());
    TideOptions good = new TideOptions(new JsonObject().put("dbPath", "x.db").put("readCacheSize", 0)
      .put("sync", new JsonObject().put("url", "http://127.0.0.1:8000/sync").put("intervalMs", 5)));
    assertEquals(good.toJson(), new TideOptions(good.toJson()).toJson());
  }

  /** A null is refused as README says, naming the field (they threw NullPointerException, some with no message). */
  @Test
  void nullOptionsAreRefusedNamingTheField() {
    assertNamed("dbPath", () -> new TideOptions().setDbPath(null));
    assertNamed("synchronous", () -> new TideOptions().setSynchronous(null));
    assertNamed("addressPrefix", () -> new TideOptions().setAddressPrefix(null));
    assertNamed("transport", () -> new SyncOptions().setTransport(null));
    assertNamed("headers", () -> new SyncOptions().setHeaders(null));
    java.util.Map<String, String> withNull = new java.util.HashMap<>();
    withNull.put("X-Key", null);
    assertNamed("headers.X-Key", () -> new SyncOptions().setHeaders(withNull));
    assertNamed("headers.X-Key", () -> new SyncOptions().addHeader("X-Key", null));
    // a header value in JSON must be a string: null or 5 became the header "null" or "5"
    assertNamed("headers.X-Key", () -> new SyncOptions(new JsonObject().put("headers", new JsonObject().putNull("X-Key"))));
    assertNamed("headers.X-Key", () -> new SyncOptions(new JsonObject().put("headers", new JsonObject().put("X-Key", 5))));
    // README: a null is refused; these two were read as their defaults (NORMAL, no headers)
    assertNamed("synchronous", () -> new TideOptions(new JsonObject().putNull("synchronous")));
    assertNamed("headers", () -> new SyncOptions(new JsonObject().putNull("headers")));
    assertEquals(java.util.Map.of("X-Key", "k"),
      new SyncOptions(new JsonObject().put("headers", new JsonObject().put("X-Key", "k"))).getHeaders());
    // a header HTTP cannot carry was accepted here and failed every sync later as "cannot reach the sync
    // server" (over WebSocket, an empty name left the sync waiting for good)
    assertNamed("headers", () -> new SyncOptions().addHeader("", "v"));
    assertNamed("headers.X Key", () -> new SyncOptions().addHeader("X Key", "v"));
    assertNamed("headers.X-Key", () -> new SyncOptions().addHeader("X-Key", "a\nb"));
    assertNamed("headers.X-Key", () -> new SyncOptions().setHeaders(java.util.Map.of("X-Key", "a\rb")));
    assertNamed("headers.X:Key", () -> new SyncOptions(new JsonObject().put("headers", new JsonObject().put("X:Key", "v"))));
    assertEquals("v\t1 é", new SyncOptions().addHeader("X-Key", "v\t1 é").getHeaders().get("X-Key")); // tab and obs-text pass
  }

  /** A blank prefix made addresses such as ".changes" and ".sync.status" (or "  .changes"): refused, named. */
  @Test
  void aBlankAddressPrefixIsRefusedNamingTheField() {
    assertNamed("addressPrefix", () -> new TideOptions().setAddressPrefix(""));
    assertNamed("addressPrefix", () -> new TideOptions().setAddressPrefix("  "));
    assertNamed("addressPrefix", () -> new TideOptions(new JsonObject().put("addressPrefix", "")));
    assertNamed("addressPrefix", () -> new TideOptions(new JsonObject().put("addressPrefix", " \t")));
    assertEquals("a", new TideOptions(new JsonObject().put("addressPrefix", "a")).getAddressPrefix());
  }

  /** HTTP header names ignore case: two static headers of one name were both sent (a server reads the first). */
  @Test
  void staticHeadersWhoseNamesDifferOnlyInCaseAreRefused() {
    java.util.Map<String, String> both = new java.util.LinkedHashMap<>();
    both.put("Authorization", "Bearer a");
    both.put("authorization", "Bearer b");
    assertNamed("headers.Authorization and headers.authorization", () -> new SyncOptions().setHeaders(both));
    assertNamed("headers.Authorization and headers.authorization",
      () -> new SyncOptions(new JsonObject().put("headers", new JsonObject(new java.util.LinkedHashMap<>(both)))));
    assertNamed("headers.Authorization and headers.authorization",
      () -> new TideOptions(new JsonObject().put("sync", new JsonObject().put("headers", new JsonObject(new java.util.LinkedHashMap<>(both))))));
    // one header added after another of the same name replaces it, whatever the case (as with the same case)
    SyncOptions added = new SyncOptions().addHeader("X-App", "notes").addHeader("authorization", "Bearer a").addHeader("Authorization", "Bearer b");
    assertEquals(java.util.Map.of("X-App", "notes", "Authorization", "Bearer b"), added.getHeaders());
    assertEquals(added.getHeaders(), new SyncOptions(added).getHeaders());
  }

  /**
   * The map getHeaders() returns is read-only: a header put in it skipped every check (a bad name, the same
   * name in another case), and Tide.open then threw copying the options instead of failing its future.
   */
  @Test
  void staticHeadersAreReadOnlyThroughTheirGetter() {
    SyncOptions sync = new SyncOptions().setUrl("http://127.0.0.1:1/sync").addHeader("X-App", "notes");
    assertThrows(UnsupportedOperationException.class, () -> sync.getHeaders().put("bad name", "v"));
    assertEquals(java.util.Map.of("X-App", "notes"), sync.getHeaders());
  }

  /** An explicit null url in JSON is refused naming the field, as every other null is (an absent url means none yet). */
  @Test
  void aNullUrlInJsonIsRefusedNamingTheField() {
    assertNamed("url", () -> new SyncOptions(new JsonObject().putNull("url")));
    assertNamed("url", () -> new TideOptions(new JsonObject().put("sync", new JsonObject().putNull("url"))));
    assertEquals(null, new SyncOptions(new JsonObject()).getUrl());
  }

  private static void assertNamed(String field, org.junit.jupiter.api.function.Executable set) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, set);
    assertTrue(e.getMessage() != null && e.getMessage().contains(field), field + ": " + e.getMessage());
  }
}

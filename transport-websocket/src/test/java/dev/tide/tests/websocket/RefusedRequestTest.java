package dev.tide.tests.websocket;

import dev.tide.core.ChangeCodec;
import dev.tide.core.SyncException;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.SyncResult;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.tests.core.Sql;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.http.SyncFixture;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pending op whose text the server's parser refuses makes the server refuse the whole request, naming
 * no op (400 invalid_json; over WebSocket an error frame without id). Today's client refuses such a
 * document at put, but a store written by an older version (or a server with stricter limits) can
 * still hold one: the client halves its push until the op is alone, drops it as rejected, and pushes
 * everything else.
 */
@ExtendWith(VertxExtension.class)
class RefusedRequestTest {

  @TempDir
  Path dir;
  SyncFixture fx;

  @BeforeEach
  void setUp(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  /** Client a's store file, closed, with {@code n} pending puts n0, n1, ... */
  private String storeWithPendingWrites(Vertx vertx, int n) {
    String path = dir.resolve("a.db").toString();
    Tide offline = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    for (int i = 0; i < n; i++) {
      offline.collection("notes").put("n" + i, new JsonObject().put("i", i)).await();
    }
    offline.close().await();
    return path;
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void anOpTheServersParserRefusesIsDroppedAlone(String transport, Vertx vertx) {
    String path = storeWithPendingWrites(vertx, 20);
    // what an older version accepted: a number longer than the 64 characters a receiver parses
    Sql.exec(path, "UPDATE tide_docs SET body = '{\"n\":" + "1".repeat(70) + "}' WHERE id = 'n7'");

    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("a.sync.rejected", m -> rejected.add(m.body()));
    Tide a = fx.client("a", s -> s.setTransport(transport));
    SyncResult r = a.syncOnce().await();
    assertEquals(1, r.rejected());
    assertEquals(19, r.pushed());
    assertEquals(0L, a.pendingCount().await(), "the refused op does not jam the outbox");
    assertEquals(19, fx.serverState().size());
    assertFalse(fx.serverState().containsKey("notes/n7"));
    await().until(() -> rejected.size() == 1);
    assertEquals("n7", rejected.get(0).getString("id"));
    assertEquals("invalid_json", rejected.get(0).getString("code"));

    // later writes go out as usual, in one request again; the client's limits are the server parser's
    a.collection("notes").put("later", new JsonObject()
      .put("k".repeat(ChangeCodec.MAX_KEY_BYTES), 1)
      .put("é".repeat(ChangeCodec.MAX_KEY_BYTES / 2), 2) // 2 bytes each in UTF-8
      .put("n", new BigInteger("-" + "9".repeat(ChangeCodec.MAX_NUMBER_CHARS - 1)))
      .put("d", new BigDecimal("-1." + "5".repeat(ChangeCodec.MAX_NUMBER_CHARS - 3)))).await();
    a.collection("notes").put("later2", new JsonObject()).await();
    SyncResult next = a.syncOnce().await();
    assertEquals(2, next.pushed());
    assertEquals(1, next.exchanges(), "the push batch is whole again once the refused op is dropped");
    assertTrue(fx.serverState().containsKey("notes/later"));
    assertTrue(fx.serverState().containsKey("notes/later2"));
  }

  /** If the request is refused even without ops (not an op's fault: e.g. a gateway), nothing is dropped. */
  @Test
  void nothingIsDroppedWhenEveryRequestIsRefused(Vertx vertx) {
    AtomicInteger requests = new AtomicInteger();
    // answers the client's first request (the pull after opening, which pushes nothing), refuses the rest
    HttpServer refusing = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      if (requests.incrementAndGet() == 1) {
        req.response().putHeader("Content-Type", "application/json")
          .end("{\"cursor\":\"e.0\",\"changes\":[],\"more\":false,\"results\":[],\"remaining\":0}");
      } else {
        req.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end("{\"error\":{\"code\":\"invalid_json\",\"message\":\"body: is not valid JSON\"}}");
      }
    })).listen(0, "127.0.0.1").await();
    try {
      List<JsonObject> rejected = new CopyOnWriteArrayList<>();
      vertx.eventBus().<JsonObject>consumer("b.sync.rejected", m -> rejected.add(m.body()));
      Tide b = fx.client("b", s -> s.setUrl(SyncFixture.url(refusing.actualPort())));
      for (int i = 0; i < 3; i++) {
        b.collection("notes").put("n" + i, new JsonObject()).await();
      }
      SyncException e = assertThrows(SyncException.class, () -> b.syncOnce().await());
      assertEquals("invalid_json", e.code());
      assertEquals(4, requests.get(), "the pull; pushes of 3 ops, then 1; the probe without ops");
      assertEquals(3L, b.pendingCount().await());
      assertTrue(rejected.isEmpty());
    } finally {
      refusing.close().await();
    }
  }

  /** The probe answered 409 (a stale cursor) proves the server reads requests: the op is dropped, then the reset runs. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void anUnreadableOpWithAStaleCursorIsDroppedAndTheResetRuns(String transport, Vertx vertx) throws Exception {
    Tide a = fx.client("a", s -> s.setTransport(transport));
    a.syncOnce().await(); // the pull after opening: the push below meets the stale cursor, not this pull
    for (int i = 0; i < 3; i++) {
      a.collection("notes").put("n" + i, new JsonObject().put("i", i)).await();
    }
    Sql.exec(dir.resolve("a.db").toString(), "UPDATE tide_docs SET body = '{\"n\":" + "1".repeat(70) + "}' WHERE id = 'n0'");
    fx.stopServer(); // the server's database is replaced: a's cursor is now from another database
    for (String f : new String[] {"server.db", "server.db-wal", "server.db-shm"}) {
      java.nio.file.Files.deleteIfExists(dir.resolve(f));
    }
    fx.startServer();
    SyncResult r = a.syncOnce().await();
    // refused before the reset, and once more after it: a database_changed reset queues this store's writes again
    assertEquals(2, r.rejected());
    assertEquals(0L, a.pendingCount().await());
    assertEquals(java.util.Set.of("notes/n1", "notes/n2"), fx.serverState().keySet());
  }

  /** A refusal that was not an op's fault leaves nothing behind: once the path is fixed, pushes are whole again. */
  @Test
  void afterARefusalThatWasNoOpsFaultPushesAreWholeAgain(Vertx vertx) {
    AtomicBoolean broken = new AtomicBoolean();
    AtomicInteger exchanges = new AtomicInteger();
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("gateway", (v, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(v, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          exchanges.incrementAndGet(); // a gateway in front of the server that refuses everything while broken
          return broken.get() ? Future.failedFuture(new SyncException(400, "invalid_json", "body: is not valid JSON", null))
            : delegate.exchange(request);
        }
      })));
    a.syncOnce().await(); // the pull after opening, which pushes nothing: the refusals below meet a push
    broken.set(true);
    for (int i = 0; i < 4; i++) {
      a.collection("notes").put("n" + i, new JsonObject()).await();
    }
    SyncException e = assertThrows(SyncException.class, () -> a.syncOnce().await());
    assertEquals("invalid_json", e.code());
    assertEquals(4L, a.pendingCount().await());
    broken.set(false);
    exchanges.set(0);
    SyncResult r = a.syncOnce().await();
    assertEquals(4, r.pushed());
    assertEquals(1, exchanges.get(), "the 4 ops go in one request");
  }

  /** A request larger than the server's whole memory budget is too large (413, halved), never busy (429) for ever. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aServerWithASmallMemoryBudgetTakesLargePushesInPieces(String transport, Vertx vertx) {
    fx.stopServer();
    fx.startServer(new TideServerOptions().setMaxBufferedBodyBytes(1 << 20), null, null);
    Tide a = fx.client("a", s -> s.setTransport(transport));
    String blob = "x".repeat(300_000);
    for (int i = 0; i < 4; i++) {
      a.collection("notes").put("big" + i, new JsonObject().put("blob", blob)).await();
    }
    SyncResult r = a.syncOnce().await();
    assertEquals(4, r.pushed());
    assertEquals(0, r.rejected());
    assertEquals(4, fx.serverState().size());
  }

  /** Even a tiny budget (32 KiB, below the 64 KiB WebSocket envelope allowance) takes small writes, over both transports. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aTinyMemoryBudgetStillTakesSmallWrites(String transport, Vertx vertx) {
    fx.stopServer();
    fx.startServer(new TideServerOptions().setMaxBufferedBodyBytes(32 * 1024), null, null);
    Tide a = fx.client("a", s -> s.setTransport(transport));
    a.collection("notes").put("n1", new JsonObject().put("t", "small")).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(1, r.pushed());
    assertEquals(0, r.rejected());
    assertEquals(1, fx.serverState().size());
  }

  /** A body of unknown length (chunked) counts as the largest body the budget allows, not as maxBodyBytes. */
  @Test
  void aChunkedRequestFitsASmallBudget(Vertx vertx) {
    fx.stopServer();
    fx.startServer(new TideServerOptions().setMaxBufferedBodyBytes(1 << 20), null, null);
    int status = vertx.createHttpClient().request(io.vertx.core.http.HttpMethod.POST, fx.port(), "127.0.0.1", "/sync")
      .compose(req -> req.setChunked(true).putHeader("Content-Type", "application/json")
        .send("{\"protocol\":1,\"node_id\":\"n1\",\"cursor\":null}"))
      .map(io.vertx.core.http.HttpClientResponse::statusCode).await();
    assertEquals(200, status);
  }

  /** A write the server takes over HTTP also goes over WebSocket: the client's own size check counts UTF-8 bytes. */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"http,1024,10", "websocket,1024,10", "http,1048576,600000", "websocket,1048576,600000"})
  void theSameWriteGoesOverEitherTransport(String transport, long budget, int length) {
    fx.stopServer();
    fx.startServer(new TideServerOptions().setMaxBufferedBodyBytes(budget), null, null);
    Tide a = fx.client("a", s -> s.setTransport(transport));
    a.collection("notes").put("n1", new JsonObject().put("t", "x".repeat(length))).await();
    SyncResult r = a.syncOnce().await();
    assertEquals(0, r.rejected());
    assertEquals(1, r.pushed());
    assertEquals(1, fx.serverState().size());
  }
}

package dev.tide.tests.examples;

import dev.tide.core.Change;
import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.TideVerticle;
import dev.tide.examples.ChangeFeedExample;
import dev.tide.examples.ClientVerticleExample;
import dev.tide.examples.EmbeddedServerExample;
import dev.tide.examples.TokenAuthExample;
import dev.tide.examples.SharedPostgresExample;
import dev.tide.examples.TransportSwitchExample;
import dev.tide.tests.server.PgTestSchema;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example does what its documentation says. */
@ExtendWith(VertxExtension.class)
class ExamplesTest {

  @TempDir
  Path dir;

  String startServer(Vertx vertx, TideServerVerticle server) {
    vertx.deployVerticle(server).await();
    return "http://127.0.0.1:" + server.actualPort() + "/sync";
  }

  TideServerVerticle server() {
    return new TideServerVerticle(new TideServerOptions().setPort(0).setDbPath(dir.resolve("server.db").toString()));
  }

  @Test
  void clientVerticleSyncsForever(Vertx vertx) {
    TideServerVerticle server = server();
    String url = startServer(vertx, server);
    TideVerticle client = ClientVerticleExample.deploy(vertx, ClientVerticleExample.config(dir.resolve("app.db").toString(), url)).await();
    client.tide().collection("notes").put("hello", new JsonObject()).await();
    await().until(() -> client.tide().pendingCount().await() == 0); // synced with no call to syncOnce
    assertEquals(1L, server.server().store().lastSeq());
  }

  @Test
  void changeFeedPerCollectionAndForAll(Vertx vertx) {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("feed.db").toString())).await();
    List<Change> notes = new CopyOnWriteArrayList<>();
    List<Change> all = new CopyOnWriteArrayList<>();
    ChangeFeedExample.onNotes(vertx, tide, notes::add);
    ChangeFeedExample.onEverything(vertx, tide, all::add);
    tide.collection("notes").put("n1", new JsonObject()).await();
    tide.collection("tasks").put("t1", new JsonObject()).await();
    tide.collection("notes").delete("n1").await();
    await().until(() -> all.size() == 3 && notes.size() == 2);
    assertTrue(notes.stream().allMatch(c -> c.collection().equals("notes")));
    assertTrue(notes.get(1).deleted());
    tide.close().await();
  }

  @Test
  void syncRoutesBesideTheAppsOwn(Vertx vertx) {
    HttpServer http = EmbeddedServerExample.start(vertx, dir.resolve("embedded.db").toString(), 0).await();
    WebClient web = WebClient.create(vertx);
    assertEquals("hello from the app", web.get(http.actualPort(), "127.0.0.1", "/hello").send().await().bodyAsString());
    assertEquals(200, web.get(http.actualPort(), "127.0.0.1", "/tide/health").send().await().statusCode());
    for (String transport : new String[]{"http", "websocket"}) {
      Tide t = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve(transport + ".db").toString()).setAddressPrefix(transport)
        .setSync(new SyncOptions().setUrl("http://127.0.0.1:" + http.actualPort() + "/tide/sync").setTransport(transport))).await();
      t.collection("notes").put(transport, new JsonObject()).await();
      assertEquals(1, t.syncOnce().await().pushed());
      t.close().await();
    }
  }

  /** A clock the test moves forward instead of sleeping. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void shortLivedTokensAreRefreshedAfterA401(Vertx vertx) {
    TestClock clock = new TestClock();
    String secret = "s3cret";
    TideServerVerticle server = server().authenticator(TokenAuthExample.authenticator(secret, clock));
    String url = startServer(vertx, server);
    AtomicInteger issued = new AtomicInteger();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("auth.db").toString()).setSync(new SyncOptions().setUrl(url)
      .setHeadersProvider(TokenAuthExample.bearer(() -> {
        issued.incrementAndGet();
        return Future.succeededFuture(TokenAuthExample.issue(secret, "alice", Duration.ofMinutes(1), clock));
      })))).await();
    tide.collection("notes").put("a", new JsonObject()).await();
    tide.syncOnce().await();
    tide.collection("notes").put("b", new JsonObject()).await();
    tide.syncOnce().await();
    assertEquals(1, issued.get(), "the token is cached while valid");

    clock.now = clock.now.plus(Duration.ofMinutes(2)); // the cached token expires
    tide.collection("notes").put("c", new JsonObject()).await();
    assertEquals(1, tide.syncOnce().await().pushed()); // 401, refreshed, retried
    assertEquals(2, issued.get());
    tide.close().await();

    String forged = TokenAuthExample.issue("wrong-secret", "mallory", Duration.ofMinutes(1), clock);
    assertTrue(TokenAuthExample.authenticator(secret, clock)
      .authenticate(MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + forged)).failed());
  }

  @Test
  void transportIsOneConfigurationValue(Vertx vertx) {
    TideServerVerticle server = server();
    String url = startServer(vertx, server);
    for (String transport : new String[]{"http", "websocket"}) {
      JsonObject config = TransportSwitchExample.config(dir.resolve("switch-" + transport + ".db").toString(), url, transport);
      Tide tide = Tide.open(vertx, TransportSwitchExample.options(config).setAddressPrefix(transport)).await();
      tide.collection("notes").put(transport, new JsonObject()).await();
      assertEquals(1, tide.syncOnce().await().pushed());
      tide.close().await();
    }
    assertEquals(2L, server.server().store().lastSeq());
  }

  @Test
  void twoInstancesOnOnePostgresDatabase(Vertx vertx) {
    try (PgTestSchema schema = PgTestSchema.create(vertx)) {
      JsonObject doc = SharedPostgresExample.run(vertx, schema.url(), dir).await(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals("a, through the first instance", doc.getString("from"));
      vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await()); // the servers, before their schema goes
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("B was not pushed A's write within 30 s", e);
    }
  }
}

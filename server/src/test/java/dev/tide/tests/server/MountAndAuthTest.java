package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.server.impl.TideServerImpl;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class MountAndAuthTest {

  @TempDir
  Path dir;

  @Test
  void mountedOnTheAppsOwnRouterWithAuth(Vertx vertx) {
    TideServer tide = TideServer.open(vertx, new TideServerOptions().setDbPath(dir.resolve("m.db").toString())).await();
    tide.authenticator(headers -> {
      String auth = headers.get("Authorization");
      if ("Bearer good".equals(auth)) {
        return Future.succeededFuture("alice");
      }
      if ("Bearer boom".equals(auth)) {
        throw new IllegalStateException("authenticator bug");
      }
      return Future.failedFuture("bad or missing token");
    });
    Router app = Router.router(vertx);
    app.get("/hello").handler(ctx -> ctx.end("hi"));
    app.route("/api/tide/*").subRouter(tide.router());
    HttpServer http = vertx.createHttpServer().requestHandler(app).listen(0, "127.0.0.1").await();
    WebClient client = WebClient.create(vertx);
    int port = http.actualPort();
    try {
      assertEquals("hi", client.get(port, "127.0.0.1", "/hello").send().await().bodyAsString());
      Buffer body = new JsonObject().put("protocol", 1).put("node_id", "a").put("cursor", null).toBuffer();

      for (String token : new String[]{null, "Bearer bad", "Bearer boom"}) {
        var req = client.post(port, "127.0.0.1", "/api/tide/sync").putHeader("Content-Type", "application/json");
        if (token != null) {
          req.putHeader("Authorization", token);
        }
        HttpResponse<Buffer> r = req.sendBuffer(body).await();
        assertEquals(401, r.statusCode());
        assertEquals("unauthorized", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
      }
      HttpResponse<Buffer> ok = client.post(port, "127.0.0.1", "/api/tide/sync").putHeader("Content-Type", "application/json")
        .putHeader("Authorization", "Bearer good").sendBuffer(body).await();
      assertEquals(200, ok.statusCode(), ok.bodyAsString());
      assertEquals(200, client.get(port, "127.0.0.1", "/api/tide/health").putHeader("Authorization", "x").send().await().statusCode());
    } finally {
      http.close().await();
      tide.close().await();
    }
  }

  /**
   * Mounted behind the application's own BodyHandler (which reads the body before tide's routes run), a body
   * over maxBodyBytes sent without a Content-Length is 413, as on the standalone server. Was a bug: only an
   * announced length was checked there, so a chunked body of any size the app's handler took was exchanged (200).
   */
  @Test
  void behindTheAppsBodyHandlerABodyOverTheLimitIs413(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("bh.db").toString()).setMaxBodyBytes(1000);
    TideServer tide = TideServer.open(vertx, options).await();
    Router app = Router.router(vertx);
    app.route().handler(io.vertx.ext.web.handler.BodyHandler.create());
    app.route("/tide/*").subRouter(tide.router());
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen().await();
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    try {
      Buffer body = ServerFixture.request("a", null, ServerFixture.op("n", "1", 1, "a", new JsonObject().put("v", "x".repeat(2000)))).toBuffer();
      // composed on the client's event loop: the answer's body is read as it arrives
      JsonObject answer = client.request(io.vertx.core.http.HttpMethod.POST, http.actualPort(), "127.0.0.1", "/tide/sync")
        .compose(req -> req.putHeader("Content-Type", "application/json").setChunked(true) // no length announced
          .send(body).compose(r -> r.body().map(b -> new JsonObject().put("status", r.statusCode())
            .put("code", new JsonObject(b).getJsonObject("error", new JsonObject()).getString("code"))))).await();
      assertEquals(new JsonObject().put("status", 413).put("code", "too_large"), answer);
      assertEquals(0, tide.store().lastSeq(), "nothing was written");
    } finally {
      client.close().await();
      http.close().await();
      tide.close().await();
    }
  }

  /**
   * A route of the application under the mount that fails with a status (Vert.x Web's AuthorizationHandler
   * and CorsHandler fail with 403, its TimeoutHandler with 503) is answered by tide's failure handler with that
   * status and the JSON error body (README, "Tide's failure handler also answers the failures of your routes").
   * Was a bug: every status tide has no code of its own for became 500 internal_error.
   */
  @Test
  void aStatusFailureOfTheAppsRouteUnderTheMountKeepsItsStatus(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("st.db").toString());
    TideServer tide = TideServer.open(vertx, options).await();
    Router app = Router.router(vertx);
    app.route("/tide/admin/*").handler(ctx -> ctx.fail(403));
    app.get("/tide/report").handler(ctx -> ctx.fail(503));
    app.route("/tide/*").subRouter(tide.router());
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen().await();
    WebClient client = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> forbidden = client.get(http.actualPort(), "127.0.0.1", "/tide/admin/users").send().await();
      assertEquals(403, forbidden.statusCode(), forbidden.bodyAsString());
      assertEquals("application/json", forbidden.getHeader("Content-Type"));
      assertEquals("forbidden", forbidden.bodyAsJsonObject().getJsonObject("error").getString("code"));
      HttpResponse<Buffer> unavailable = client.get(http.actualPort(), "127.0.0.1", "/tide/report").send().await();
      assertEquals(503, unavailable.statusCode(), unavailable.bodyAsString());
      assertEquals("unavailable", unavailable.bodyAsJsonObject().getJsonObject("error").getString("code"));
    } finally {
      client.close();
      http.close().await();
      tide.close().await();
    }
  }

  /** A large bearer token (20 KiB) reaches the authenticator (Vert.x's 8 KiB header limit answered 431 first). */
  @Test
  void aLargeAuthorizationHeaderReachesTheAuthenticator(Vertx vertx) {
    String token = "Bearer " + "t".repeat(20 * 1024);
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerFixture server = ServerFixture.start(vertx, new TideServerOptions().setPort(0).setDbPath(dir.resolve("h.db").toString()),
      headers -> {
        seen.add(headers.get("Authorization"));
        return token.equals(headers.get("Authorization")) ? Future.succeededFuture("alice") : Future.failedFuture("bad token");
      });
    try {
      HttpResponse<Buffer> r = server.client.post("/sync").putHeader("Content-Type", "application/json")
        .putHeader("Authorization", token)
        .sendBuffer(new JsonObject().put("protocol", 1).put("node_id", "a").put("cursor", null).toBuffer()).await();
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(List.of(token), seen);
      // past 64 KiB the HTTP layer answers alone, without the JSON body (PROTOCOL.md, Errors)
      HttpResponse<Buffer> tooLarge = server.client.post("/sync").putHeader("Content-Type", "application/json")
        .putHeader("Authorization", "Bearer " + "t".repeat(70 * 1024)).sendBuffer(Buffer.buffer("{}")).await();
      assertEquals(431, tooLarge.statusCode());
      assertEquals(null, tooLarge.body(), "an empty body");
      assertEquals(1, seen.size());
    } finally {
      server.stop();
    }
  }

  /** An authenticator that answers later (an identity provider asked asynchronously), 20 ms here. */
  private static dev.tide.server.ServerAuthenticator later(Vertx vertx) {
    return headers -> {
      io.vertx.core.Promise<String> p = io.vertx.core.Promise.promise();
      vertx.setTimer(20, t -> p.complete("alice"));
      return p.future();
    };
  }

  /** Was a bug: the body arriving while the authenticator answered was dropped (400 invalid_json). */
  @Test
  void anAsynchronousAuthenticatorKeepsTheBody(Vertx vertx) {
    ServerFixture server = ServerFixture.start(vertx, new TideServerOptions().setPort(0)
      .setDbPath(dir.resolve("later.db").toString()), later(vertx));
    try {
      JsonObject body = ServerFixture.request("a", null, ServerFixture.op("n", "1", 1, "a", new JsonObject().put("v", 1)));
      HttpResponse<Buffer> r = server.post(body);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      HttpResponse<Buffer> wrongType = server.client.post("/sync").putHeader("Content-Type", "text/plain")
        .sendBuffer(body.toBuffer()).await();
      assertEquals(415, wrongType.statusCode(), "a refusal after the authenticator drops the paused body");
      assertEquals(200, server.post(body).statusCode(), "and the connection goes on");
    } finally {
      server.stop();
    }
  }

  /** Was a bug: the upgrade after an asynchronous authenticator failed with 500 (the request had been read). */
  @Test
  void anAsynchronousAuthenticatorLetsTheWebSocketOpen(Vertx vertx) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, new TideServerOptions().setPort(0)
      .setDbPath(dir.resolve("laterws.db").toString()), later(vertx));
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    try {
      java.util.concurrent.BlockingQueue<String> frames = new java.util.concurrent.LinkedBlockingQueue<>();
      io.vertx.core.Promise<io.vertx.core.http.WebSocket> opened = io.vertx.core.Promise.promise();
      vertx.getOrCreateContext().runOnContext(x -> client.connect(new io.vertx.core.http.WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(server.port).setURI("/sync/ws")).onSuccess(ws -> ws.textMessageHandler(frames::add))
        .onComplete(opened));
      opened.future().await();
      String hello = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals("hello", hello == null ? null : new JsonObject(hello).getString("type"));
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /**
   * Mounted under the application's TimeoutHandler, an exchange that ends after that handler answered 503 is
   * left alone. Was a bug: tide still ended the response, which threw IllegalStateException on the event loop
   * ("Response has already been written") for Vert.x to log at every such request.
   */
  @Test
  void anExchangeEndingAfterTheAppAnsweredLeavesTheResponseAlone(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("late.db").toString());
    ServerStore sqlite = TideServer.openSqliteStore(vertx, options).await();
    Promise<Context> pushed = Promise.promise();
    Promise<Void> released = Promise.promise();
    AtomicBoolean pulled = new AtomicBoolean();
    TideServer tide = TideServer.create(vertx, options, new ForwardingServerStore(sqlite) {
      @Override
      public Future<List<OpResult>> push(String namespace, List<Change> ops) {
        pushed.complete(Vertx.currentContext()); // held until the app has answered
        return released.future().compose(v -> super.push(namespace, ops));
      }

      @Override
      public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
        return super.pull(namespace, afterSeq, excludeNode, limit, maxBytes).andThen(ar -> pulled.set(true));
      }
    });
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(thrown::add); // what a handler throws on the event loop, which Vert.x would only log
    Router app = Router.router(vertx);
    app.route().handler(TimeoutHandler.create(500)); // fails the request with 503
    app.route("/tide/*").subRouter(tide.router());
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen().await();
    WebClient client = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> r = client.post(http.actualPort(), "127.0.0.1", "/tide/sync").putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("protocol", 1).put("node_id", "a").put("cursor", null).toBuffer()).await();
      assertEquals(503, r.statusCode(), r.bodyAsString());
      Context exchangeContext = pushed.future().await();
      exchangeContext.runOnContext(v -> released.complete());
      await().atMost(10, TimeUnit.SECONDS).untilTrue(pulled);
      // the exchange's answer is tried in the task that delivered the pull: once a later task runs, it was
      Promise<Void> after = Promise.promise();
      exchangeContext.runOnContext(v -> after.complete());
      after.future().await();
      assertEquals(List.of(), thrown);
      assertEquals(0, ((TideServerImpl) tide).bufferedRequestBytes());
    } finally {
      client.close();
      http.close().await();
      tide.close().await();
    }
  }
}

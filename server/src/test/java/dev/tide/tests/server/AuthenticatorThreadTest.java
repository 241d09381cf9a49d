package dev.tide.tests.server;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An authenticator whose future completes on a thread of its own (a CompletableFuture, a JDK HttpClient
 * callback): the request goes on on its own event loop. Was a bug: the rest of the request (the checks,
 * the body, the exchange with the store, the answer, the WebSocket upgrade) ran on the authenticator's thread,
 * racing the connection's event loop.
 */
@ExtendWith(VertxExtension.class)
class AuthenticatorThreadTest {

  @TempDir
  Path dir;

  @Test
  void anAuthenticatorCompletingOnItsOwnThreadKeepsTheRequestOnItsEventLoop(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("t.db").toString());
    List<String> offLoop = new CopyOnWriteArrayList<>();
    ServerStore sqlite = TideServer.openSqliteStore(vertx, options).await();
    ServerStore store = new ForwardingServerStore(sqlite) {
      @Override
      public Future<List<OpResult>> push(String namespace, List<Change> ops) {
        check("push");
        return super.push(namespace, ops);
      }

      @Override
      public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
        check("pull");
        return super.pull(namespace, afterSeq, excludeNode, limit, maxBytes);
      }

      private void check(String call) {
        if (!Context.isOnEventLoopThread()) {
          offLoop.add(call + " on " + Thread.currentThread().getName());
        }
      }
    };
    ExecutorService idp = Executors.newFixedThreadPool(2); // an identity provider's client threads
    TideServer tide = TideServer.create(vertx, options, store).authenticator(headers -> Future.fromCompletionStage(
      CompletableFuture.supplyAsync(() -> {
        if (!"Bearer good".equals(headers.get("Authorization"))) {
          throw new IllegalStateException("bad token");
        }
        return "alice";
      }, idp)));
    // mounted behind the app's BodyHandler (README): the body is read before tide's routes run
    Router app = Router.router(vertx);
    app.route().handler(BodyHandler.create());
    app.route("/tide/*").subRouter(tide.router());
    HttpServer http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen().await();
    WebClient client = WebClient.create(vertx);
    WebSocketClient wsClient = vertx.createWebSocketClient();
    try {
      List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Buffer body = ServerFixture.request("n" + i, null,
          ServerFixture.op("c", "d" + i, 1, "n" + i, new JsonObject().put("v", i))).toBuffer();
        posts.add(client.post(http.actualPort(), "127.0.0.1", "/tide/sync").putHeader("Content-Type", "application/json")
          .putHeader("Authorization", i % 4 == 3 ? "Bearer bad" : "Bearer good").sendBuffer(body));
      }
      List<Future<WebSocket>> sockets = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Promise<WebSocket> opened = Promise.promise();
        vertx.getOrCreateContext().runOnContext(v -> wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(http.actualPort()).setURI("/tide/sync/ws").addHeader("Authorization", "Bearer good")).onComplete(opened));
        sockets.add(opened.future());
      }
      for (int i = 0; i < posts.size(); i++) {
        HttpResponse<Buffer> r = posts.get(i).await();
        assertEquals(i % 4 == 3 ? 401 : 200, r.statusCode(), r.bodyAsString());
      }
      for (Future<WebSocket> s : sockets) {
        s.await().close().await();
      }
      assertEquals(15, tide.store().lastSeq());
      assertEquals(List.of(), offLoop);
    } finally {
      wsClient.close().await();
      client.close();
      http.close().await();
      tide.close().await();
      idp.shutdown();
    }
  }
}

package dev.tide.examples;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/**
 * Example 3: the sync endpoints mounted on the app's own Vert.x Web router, next to its own routes:
 * {@code POST /tide/sync}, {@code GET /tide/sync/ws}, {@code GET /tide/health} beside {@code GET /hello}.
 * Clients then use {@code http://host:port/tide/sync} as their sync url.
 */
public final class EmbeddedServerExample {

  private EmbeddedServerExample() {
  }

  public static Future<HttpServer> start(Vertx vertx, String dbPath, int port) {
    TideServerOptions options = new TideServerOptions().setDbPath(dbPath).setPort(port);
    return TideServer.open(vertx, options).compose(tide -> {
      Router app = Router.router(vertx);
      app.get("/hello").handler(ctx -> ctx.end("hello from the app"));
      app.route("/tide/*").subRouter(tide.router());
      // the server options carry WebSocket limits fit for large syncs
      return vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen();
    });
  }

  public static void main(String[] args) {
    HttpServer server = start(Vertx.vertx(), "example-server.db", 8080).await();
    System.out.println("app on http://127.0.0.1:" + server.actualPort() + "/hello, sync on /tide/sync");
  }
}

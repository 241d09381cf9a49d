package dev.tide.examples;

import dev.tide.core.TideVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Example 1: the client deployed as a verticle inside a Vert.x app, syncing forever. The whole setup is
 * the verticle's JSON config (TideOptions), e.g. from a config file:
 * <pre>
 * {"dbPath": "app.db", "sync": {"url": "http://127.0.0.1:8000/sync", "transport": "websocket", "autoStart": true}}
 * </pre>
 * Run: start a server ({@code java -jar server/target/tide-server.jar}), then this main. Without a
 * server it keeps working locally and retries in the background.
 */
public final class ClientVerticleExample {

  private ClientVerticleExample() {
  }

  public static Future<TideVerticle> deploy(Vertx vertx, JsonObject config) {
    TideVerticle tide = new TideVerticle();
    return vertx.deployVerticle(tide, new DeploymentOptions().setConfig(config)).map(id -> tide);
  }

  public static JsonObject config(String dbPath, String url) {
    return new JsonObject().put("dbPath", dbPath)
      .put("sync", new JsonObject().put("url", url).put("transport", "websocket").put("autoStart", true));
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    String url = args.length > 0 ? args[0] : "http://127.0.0.1:8000/sync";
    TideVerticle tide = deploy(vertx, config("example-app.db", url)).await();
    tide.tide().collection("notes").put("hello", new JsonObject().put("from", "ClientVerticleExample")).await();
    System.out.println("wrote notes/hello; pending until the server acknowledges: " + tide.tide().pendingCount().await());
    System.out.println("syncing in the background; Ctrl-C to stop");
  }
}

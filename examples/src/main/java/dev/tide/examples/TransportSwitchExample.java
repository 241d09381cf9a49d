package dev.tide.examples;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Example 5: HTTP or WebSocket is one configuration value. The same url serves both (the WebSocket
 * transport derives {@code ws://…/sync/ws} from {@code http://…/sync}); the app code does not change.
 * <pre>
 * {"dbPath": "app.db", "sync": {"url": "http://127.0.0.1:8000/sync", "transport": "http"}}       polling + on-write sync
 * {"dbPath": "app.db", "sync": {"url": "http://127.0.0.1:8000/sync", "transport": "websocket"}}  live push
 * </pre>
 */
public final class TransportSwitchExample {

  private TransportSwitchExample() {
  }

  public static TideOptions options(JsonObject config) {
    return new TideOptions(config);
  }

  public static JsonObject config(String dbPath, String url, String transport) {
    return new JsonObject().put("dbPath", dbPath).put("sync", new JsonObject().put("url", url).put("transport", transport));
  }

  public static void main(String[] args) {
    String transport = args.length > 0 ? args[0] : "websocket";
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, options(config("example-switch.db", "http://127.0.0.1:8000/sync", transport))).await();
    tide.collection("notes").put("switch", new JsonObject().put("transport", transport)).await();
    tide.syncOnce().onComplete(ar -> {
      System.out.println(ar.succeeded() ? "synced over " + transport + ": " + ar.result() : "offline: " + ar.cause().getMessage());
      tide.close().onComplete(v -> vertx.close());
    });
  }
}

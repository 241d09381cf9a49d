package dev.tide.examples;

import dev.tide.core.Change;
import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Example 6: two server instances on one PostgreSQL database, as behind a load balancer. Client A syncs
 * over HTTP with the first instance; client B is connected over WebSocket to the second, which pushes it
 * A's write as soon as the first commits it (PostgreSQL LISTEN/NOTIFY between the instances).
 * <pre>
 * java -cp examples/target/tide-demo.jar dev.tide.examples.SharedPostgresExample postgresql://postgres@127.0.0.1:5432/test
 * </pre>
 * The tables go to the URL's schema ({@code ?search_path=...}, else the user's default).
 */
public final class SharedPostgresExample {

  private SharedPostgresExample() {
  }

  /** What B received: A's document, pushed by the instance A did not talk to. */
  public static Future<JsonObject> run(Vertx vertx, String postgresUrl, Path dir) {
    TideServerVerticle first = new TideServerVerticle(new TideServerOptions().setPort(0).setPostgresUrl(postgresUrl));
    TideServerVerticle second = new TideServerVerticle(new TideServerOptions().setPort(0).setPostgresUrl(postgresUrl));
    return vertx.deployVerticle(first).compose(d -> vertx.deployVerticle(second))
      .compose(d -> Tide.open(vertx, client(dir.resolve("a.db"), first, "http", "a")))
      .compose(a -> Tide.open(vertx, client(dir.resolve("b.db"), second, "websocket", "b")).compose(b -> {
        Promise<JsonObject> received = Promise.promise();
        vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> {
          if ("hello".equals(m.body().id())) {
            received.tryComplete(m.body().doc());
          }
        });
        // B first: connected and caught up, so A's write reaches it by live push alone
        return b.startSync().compose(v -> b.syncOnce())
          .compose(v -> a.collection("notes").put("hello", new JsonObject().put("from", "a, through the first instance")))
          .compose(v -> a.syncOnce())
          .compose(v -> received.future())
          .andThen(ar -> a.close().compose(v -> b.close()));
      }));
  }

  private static TideOptions client(Path db, TideServerVerticle server, String transport, String prefix) {
    String url = "http://127.0.0.1:" + server.actualPort() + "/sync";
    return new TideOptions().setDbPath(db.toString()).setAddressPrefix(prefix)
      .setSync(new SyncOptions().setUrl(url).setTransport(transport));
  }

  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : System.getenv().getOrDefault("TIDE_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test");
    Vertx vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("tide-shared");
    try {
      JsonObject doc = run(vertx, url, dir).await();
      System.out.println("B got " + doc.encode() + " from the second instance");
    } finally {
      vertx.close().await();
    }
  }
}

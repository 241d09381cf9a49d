package dev.tide.tests.server;

import dev.tide.server.ServerAuthenticator;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Path;

/** A server verticle on a free loopback port with its own database, and a web client pointed at it. */
public final class ServerFixture {

  public final Vertx vertx;
  public final TideServerVerticle verticle;
  public final String deploymentId;
  public final WebClient client;
  public final int port;
  private PgTestSchema dropOnStop;
  private boolean stopped;

  private ServerFixture(Vertx vertx, TideServerVerticle verticle, String deploymentId) {
    this.vertx = vertx;
    this.verticle = verticle;
    this.deploymentId = deploymentId;
    this.port = verticle.actualPort();
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  public static ServerFixture start(Vertx vertx, Path db) {
    return start(vertx, new TideServerOptions().setPort(0).setDbPath(db.toString()), null);
  }

  /** A server on PostgreSQL, its tables in a schema of its own, which {@link #stop()} drops. */
  public static ServerFixture startOnPostgres(Vertx vertx) {
    PgTestSchema schema = PgTestSchema.create(vertx);
    try {
      ServerFixture server = start(vertx, new TideServerOptions().setPort(0).setPostgresUrl(schema.url()), null);
      server.dropOnStop = schema;
      return server;
    } catch (RuntimeException | Error e) {
      schema.close();
      throw e;
    }
  }

  public static ServerFixture start(Vertx vertx, TideServerOptions options, ServerAuthenticator auth) {
    TideServerVerticle v = new TideServerVerticle(options).authenticator(auth);
    String id = vertx.deployVerticle(v).await();
    return new ServerFixture(vertx, v, id);
  }

  public HttpResponse<Buffer> post(JsonObject body) {
    return client.post("/sync").putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer()).await();
  }

  public JsonObject sync(JsonObject body) {
    HttpResponse<Buffer> r = post(body);
    if (r.statusCode() != 200) {
      throw new AssertionError("expected 200, got " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** Everything the server holds, as seen by a fresh client (every page of a pull from null). */
  public JsonObject snapshot() {
    JsonObject all = new JsonObject();
    String cursor = null;
    do {
      JsonObject r = sync(new JsonObject().put("protocol", 1).put("node_id", "snapshot").put("cursor", cursor).put("limit", 10_000));
      r.getJsonArray("changes").forEach(c -> {
        JsonObject ch = (JsonObject) c;
        all.put(ch.getString("collection") + "/" + ch.getString("id"), ch);
      });
      cursor = r.getBoolean("more") ? r.getString("cursor") : null;
    } while (cursor != null);
    return all;
  }

  public void stop() {
    if (stopped) { // a test may stop it early; its clean-up stops it again
      return;
    }
    stopped = true;
    try {
      vertx.undeploy(deploymentId).await();
    } finally {
      if (dropOnStop != null) {
        dropOnStop.close();
      }
    }
  }

  public static JsonObject op(String collection, String id, long counter, String node, JsonObject doc) {
    JsonObject op = new JsonObject().put("collection", collection).put("id", id)
      .put("stamp", new JsonObject().put("counter", counter).put("node", node));
    return doc == null ? op.put("deleted", true) : op.put("doc", doc);
  }

  public static JsonObject request(String node, String cursor, JsonObject... ops) {
    io.vertx.core.json.JsonArray array = new io.vertx.core.json.JsonArray();
    for (JsonObject op : ops) {
      array.add(op);
    }
    return new JsonObject().put("protocol", 1).put("node_id", node).put("cursor", cursor).put("ops", array);
  }
}

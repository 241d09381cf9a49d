package dev.tide.tests.server;

import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failure after the response head is written can no longer be answered with an error body. Tide's own
 * routes answer in one piece; the case comes from a route of the application it is mounted in, under the
 * mount, whose failure tide's failure handler answers. Over HTTP/2 (h2c) only that request's stream is
 * reset (INTERNAL_ERROR), and the client's other exchanges on the connection go on; over HTTP/1.1 the
 * connection is closed, the only way to tell the client that the response is broken.
 */
@ExtendWith(VertxExtension.class)
class ErrorAfterHeadTest {

  @TempDir
  Path dir;

  private TideServer tide;
  private HttpServer http;

  /** Tide mounted as in the README, beside the application's streamed export whose source breaks after the first chunk. */
  @BeforeEach
  void serve(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("mounted.db").toString());
    tide = TideServer.open(vertx, options).await();
    Router app = Router.router(vertx);
    // no failure handler of its own: tide's, mounted over the path, answers its failure
    app.get("/tide/export").handler(ctx -> ctx.response().setChunked(true).write("[")
      .onComplete(ar -> ctx.fail(new IllegalStateException("the export's source broke"))));
    app.route("/tide/*").subRouter(tide.router());
    http = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(app).listen().await();
  }

  @AfterEach
  void stop() {
    http.close().await();
    tide.close().await();
  }

  @Test
  void overHttp2OnlyTheBrokenStreamIsResetAndAnExchangeOnTheSameConnectionCompletes(Vertx vertx) throws Exception {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(http.actualPort()));
    try {
      // an exchange in flight on the connection: half its body sent
      HttpClientRequest sync = client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/tide/sync")
        .putHeader("Content-Type", "application/json")).await();
      Future<JsonObject> synced = sync.response().compose(r -> r.body().map(b -> new JsonObject()
        .put("status", r.statusCode()).put("body", b.toJsonObject())));
      sync.setChunked(true); // no length announced (the client asks for it even over HTTP/2)
      sync.write("{\"protocol\":1,\"node_id\":\"a\",").await();
      HttpConnection connection = sync.connection();
      assertEquals(HttpVersion.HTTP_2, sync.version());
      AtomicBoolean connectionClosed = new AtomicBoolean();
      connection.closeHandler(v -> connectionClosed.set(true));

      ExportOutcome export = export(client);
      assertEquals(connection, export.connection(), "one connection, two streams");
      assertEquals(200, export.status(), "the head was written before the failure");
      StreamResetException reset = assertInstanceOf(StreamResetException.class, export.failure(),
        "the stream is reset, not the connection closed");
      assertEquals(2, reset.getCode(), "INTERNAL_ERROR: the response was cut short");

      sync.end("\"cursor\":null}").await();
      JsonObject answer = synced.await(10, TimeUnit.SECONDS);
      assertEquals(200, answer.getInteger("status"), answer.encode());
      assertTrue(answer.getJsonObject("body").containsKey("cursor"), answer.encode());
      assertFalse(connectionClosed.get(), "the connection stayed open");
    } finally {
      client.close().await();
    }
  }

  @Test
  void overHttp11TheConnectionIsClosed(Vertx vertx) throws Exception {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
      .setDefaultHost("127.0.0.1").setDefaultPort(http.actualPort()));
    try {
      ExportOutcome export = export(client);
      assertEquals(HttpVersion.HTTP_1_1, export.version());
      assertEquals(200, export.status(), "the head was written before the failure");
      assertInstanceOf(HttpClosedException.class, export.failure(), "the connection is closed mid-body");
      export.closed().await(10, TimeUnit.SECONDS);
    } finally {
      client.close().await();
    }
  }

  /** How {@code GET /tide/export} went: its connection (and when it closed), status, and why its body failed. */
  private record ExportOutcome(HttpConnection connection, Future<Void> closed, HttpVersion version, int status, Throwable failure) {
  }

  private static ExportOutcome export(HttpClientAgent client) throws Exception {
    HttpClientRequest export = client.request(HttpMethod.GET, "/tide/export").await();
    Promise<Void> closed = Promise.promise();
    export.connection().closeHandler(closed::tryComplete);
    // attached before the request is sent: the body is read as it arrives
    Future<Integer> status = export.response().map(r -> r.statusCode());
    Future<Throwable> failure = export.response().compose(r -> r.body())
      .transform(ar -> Future.succeededFuture(ar.cause()));
    export.end().await();
    Throwable cause = failure.await(10, TimeUnit.SECONDS);
    return new ExportOutcome(export.connection(), closed.future(), export.version(), status.await(), cause);
  }
}

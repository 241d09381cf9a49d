package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * HTTP/2 cleartext (prior knowledge): a body not complete within {@code bodyTimeoutSeconds} gets its 408
 * and then its stream is reset (RST_STREAM NO_ERROR, RFC 9113 section 8.1), so the client stops sending;
 * the connection, which may carry other streams, stays open. Over HTTP/1.1 the connection is closed
 * instead (MemoryBoundTest).
 */
@ExtendWith(VertxExtension.class)
class Http2BodyTimeoutTest {

  @TempDir
  Path dir;

  @Test
  void aSlowBodyGets408AndItsStreamIsResetNotTheConnection(Vertx vertx) throws Exception {
    stillSending(vertx, new TideServerOptions(), true, 408, "timeout");
  }

  /** A body refused as too large while it arrives, its client still sending at the deadline: the same cut. */
  @Test
  void aRefusedBodyStillArrivingIsResetAtTheDeadline(Vertx vertx) throws Exception {
    stillSending(vertx, new TideServerOptions().setMaxBodyBytes(1024), false, 413, "too_large");
  }

  /**
   * Refused before its body is read (its announced length is over the limit; the same for 401, 415, 429) and
   * its client still sending at the deadline: the same cut. Was a bug: only a body refused while it arrived
   * had a deadline, so a client that kept trickling after such a refusal held its stream open for good.
   */
  @Test
  void aBodyRefusedBeforeItIsReadAndStillArrivingIsResetAtTheDeadline(Vertx vertx) throws Exception {
    stillSending(vertx, new TideServerOptions().setMaxBodyBytes(1024), true, 413, "too_large");
  }

  /** A POST /sync over h2c whose body keeps trickling in: its answer, then its stream reset, its connection kept. */
  private void stillSending(Vertx vertx, TideServerOptions options, boolean announced, int status, String code) throws Exception {
    ServerFixture server = ServerFixture.start(vertx, options.setPort(0).setBodyTimeoutSeconds(1)
      .setDbPath(dir.resolve("h2.db").toString()), null);
    TideServerImpl impl = (TideServerImpl) server.verticle.server();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
      .setHttp2ClearTextUpgrade(false).setDefaultHost("127.0.0.1").setDefaultPort(server.port));
    try {
      RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setURI("/sync").putHeader("Content-Type", "application/json");
      HttpClientRequest slow = client.request(announced ? post.putHeader("Content-Length", "100000") : post).await();
      slow.setChunked(!announced); // over HTTP/2: no length announced, the refusal comes as the bytes arrive
      Promise<Throwable> reset = Promise.promise();
      slow.exceptionHandler(reset::tryComplete);
      // attached before anything is sent: a refusal can come at once, and the answer's body is read as it arrives
      io.vertx.core.Future<JsonObject> answered = slow.response().compose(r -> r.body().map(b -> new JsonObject().put("status", r.statusCode())
        .put("code", new JsonObject(b).getJsonObject("error").getString("code"))));
      slow.write(Buffer.buffer(" ".repeat(2000))).await();
      HttpConnection connection = slow.connection();
      AtomicBoolean connectionClosed = new AtomicBoolean();
      connection.closeHandler(v -> connectionClosed.set(true));
      assertEquals(HttpVersion.HTTP_2, slow.version());
      long trickle = vertx.setPeriodic(100, id -> slow.write(" ")); // still sending when the deadline passes
      try {
        JsonObject answer = answered.await(10, TimeUnit.SECONDS);
        assertEquals(new JsonObject().put("status", status).put("code", code), answer);
        StreamResetException e = assertInstanceOf(StreamResetException.class, reset.future().await(10, TimeUnit.SECONDS));
        assertEquals(0, e.getCode(), "NO_ERROR: the answer is complete, stop sending the body");
      } finally {
        vertx.cancelTimer(trickle);
      }
      await().until(() -> impl.bufferedRequestBytes() == 0);
      // the connection carries on: another stream on it is served
      HttpClientRequest next = client.request(new RequestOptions().setMethod(HttpMethod.GET).setURI("/health")).await();
      assertEquals(200, next.send().await().statusCode());
      assertEquals(connection, next.connection(), "the same connection");
      assertFalse(connectionClosed.get(), "the connection stayed open");
    } finally {
      client.close().await();
      server.stop();
    }
  }
}

package dev.tide.tests.server;

import dev.tide.server.TideServerMain;
import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many concurrent oversized uploads of unknown length against a server JVM: each would be buffered up
 * to the 16 MiB body limit (60 × 16 MiB = 960 MiB without a bound). With a 32 MiB budget the server
 * answers every one with a 4xx (413 too large, 429 busy), stays up, and its heap stays small (the GC log
 * tells its peak). In-process: a body holds only the bytes that have arrived, and only for
 * bodyTimeoutSeconds, so clients that announce large bodies or trickle them cannot hold the budget.
 */
@ExtendWith(VertxExtension.class)
class MemoryBoundTest {

  @TempDir
  Path dir;

  @Test
  void concurrentOversizedUploadsStayWithinAFixedBudget(Vertx vertx) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Path gcLog = dir.resolve("gc.log");
    Path config = dir.resolve("server.json");
    Files.writeString(config, new JsonObject()
      .put("maxBufferedBodyBytes", Long.getLong("tide.testBodyBudget", 32L << 20)).encode());
    Process server = new ProcessBuilder(java, "-Xmx512m", "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path"),
      TideServerMain.class.getName(), "--port", Integer.toString(port), "--db", dir.resolve("mem.db").toString(),
      "--config", config.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.contains("listening on")) {
        // startup output
      }
      HttpClient http = vertx.createHttpClient();
      List<Future<Integer>> uploads = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        uploads.add(http.request(HttpMethod.POST, port, "127.0.0.1", "/sync").compose(req -> upload(vertx, req, 20 << 20)));
      }
      Future.join(uploads).await();
      int refused = 0;
      for (Future<Integer> f : uploads) {
        if (f.succeeded()) {
          assertTrue(f.result() == 413 || f.result() == 429, "status " + f.result());
          refused++;
        } // a failed future: the server cut the upload after answering, before we read the answer
      }
      assertTrue(refused > 0);
      assertTrue(server.isAlive(), "the server survived");
      assertEquals(200, WebClient.create(vertx).get(port, "127.0.0.1", "/health").send().await().statusCode());
      long peak = peakHeapMiB(gcLog);
      System.out.println("live heap peak " + peak + " MiB");
      // without the budget, 60 bodies of up to 16 MiB would need 960 MiB (this 512 MiB server would die). With it,
      // two 16 MiB bodies at a time; a body buffer grows by doubling, so while one is copied it can take twice
      // its bytes for a moment: 2 x 32 MiB plus the server's own ~35 MiB (36-40 MiB peaks seen, 70 seen under load)
      assertTrue(peak < 100, "live heap peaked at " + peak + " MiB: 60 uploads must share the 32 MiB body budget");
    } finally {
      server.toHandle().destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private ServerFixture start(Vertx vertx, TideServerOptions options) {
    return ServerFixture.start(vertx, options.setPort(0).setDbPath(dir.resolve("bound.db").toString()), null);
  }

  /** A raw connection that sends the head of a POST /sync announcing {@code length} bytes, then {@code sent} of them. */
  private static NetSocket upload(Vertx vertx, NetClient client, int port, long length, int sent, Buffer answer) {
    NetSocket socket = client.connect(port, "127.0.0.1").await();
    socket.handler(answer::appendBuffer);
    socket.write("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + length
      + "\r\n\r\n" + " ".repeat(sent)).await();
    return socket;
  }

  private static JsonObject honestRequest() {
    return ServerFixture.request("honest", null, ServerFixture.op("n", "h", 1, "honest", new JsonObject().put("v", 1)));
  }

  /** 16 MiB announced and a kilobyte sent, four times: a 32 MiB budget holds 4 KB, and other clients are served. */
  @Test
  void announcedBodiesHoldOnlyTheBytesThatArrived(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBufferedBodyBytes(32L << 20));
    TideServerImpl impl = (TideServerImpl) server.verticle.server();
    NetClient client = vertx.createNetClient();
    try {
      for (int i = 0; i < 4; i++) {
        upload(vertx, client, server.port, 16 << 20, 1000, Buffer.buffer());
      }
      await().until(() -> impl.bufferedRequestBytes() >= 4000);
      assertEquals(4000, impl.bufferedRequestBytes(), "only the bytes that arrived are held");
      assertEquals(200, server.post(honestRequest()).statusCode());
    } finally {
      client.close().await();
      server.stop();
    }
    await().until(() -> impl.bufferedRequestBytes() == 0);
  }

  /** A body still unfinished after bodyTimeoutSeconds, though bytes keep trickling in: 408, its bytes freed, the connection closed. */
  @Test
  void aBodyThatDoesNotArriveInTimeIs408(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBufferedBodyBytes(1 << 20).setBodyTimeoutSeconds(1));
    TideServerImpl impl = (TideServerImpl) server.verticle.server();
    NetClient client = vertx.createNetClient();
    try {
      Buffer answer = Buffer.buffer();
      NetSocket socket = upload(vertx, client, server.port, 1 << 20, 10_000, answer);
      Promise<Void> closed = Promise.promise();
      socket.closeHandler(v -> closed.complete());
      long trickle = vertx.setPeriodic(100, id -> socket.write(" ")); // each byte would reset an idle timeout
      closed.future().await(15, TimeUnit.SECONDS); // the server closes it
      vertx.cancelTimer(trickle);
      String response = answer.toString();
      assertTrue(response.startsWith("HTTP/1.1 408"), response);
      JsonObject error = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getJsonObject("error");
      assertEquals("timeout", error.getString("code"));
      org.awaitility.Awaitility.await().until(() -> impl.bufferedRequestBytes() == 0);
      assertEquals(200, server.post(honestRequest()).statusCode());
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /** The body reader answers {@code Expect: 100-continue} as Vert.x Web's BodyHandler did (curl sends it for large bodies). */
  @Test
  void aClientExpecting100ContinueIsToldToSend(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions());
    NetClient client = vertx.createNetClient();
    try {
      Buffer body = honestRequest().toBuffer();
      Buffer answer = Buffer.buffer();
      NetSocket socket = client.connect(server.port, "127.0.0.1").await();
      socket.handler(answer::appendBuffer);
      socket.write("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n").await();
      await().until(() -> answer.toString().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
      socket.write(body).await();
      await().until(() -> answer.toString().contains("HTTP/1.1 200 OK"));
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /**
   * A client expecting 100-continue whose request is refused before it is told to send (here an announced body
   * over the limit): it need not send its body (RFC 9110, 10.1.1), so the answer says {@code Connection: close} and
   * the connection ends with it. Was a bug: the connection stayed open, waiting for a body that was not coming
   * (until the receive deadline), and whatever the client sent next on it would have been read as that body.
   */
  @Test
  void aClientExpecting100ContinueRefusedBeforeItSendsIsToldTheConnectionCloses(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBodyBytes(1024).setBodyTimeoutSeconds(120));
    NetClient client = vertx.createNetClient();
    try {
      Buffer answer = Buffer.buffer();
      NetSocket socket = client.connect(server.port, "127.0.0.1").await();
      Promise<Void> closed = Promise.promise();
      socket.closeHandler(v -> closed.complete());
      socket.handler(answer::appendBuffer);
      socket.write("POST /sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
        + "Content-Length: 4096\r\n\r\n").await();
      closed.future().await(30, TimeUnit.SECONDS); // not the 120 s receive deadline
      String response = answer.toString();
      assertTrue(response.startsWith("HTTP/1.1 413"), response);
      assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), response);
      assertEquals(200, server.post(honestRequest()).statusCode());
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /**
   * The same over HTTP/2 (h2c), where 100 Continue is an interim HEADERS frame (RFC 9113, section 8.1). Was a
   * bug: only HTTP/1.1 was answered, so an HTTP/2 client waiting for it before sending its body got nothing,
   * and its exchange hung until its own timeout.
   */
  @Test
  void aClientExpecting100ContinueOverHttp2IsToldToSend(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions());
    HttpClient client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
      .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      Buffer body = honestRequest().toBuffer();
      HttpClientRequest req = client.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(server.port).setURI("/sync").putHeader("Content-Type", "application/json")
        .putHeader("Expect", "100-continue").putHeader("Content-Length", String.valueOf(body.length()))).await();
      Promise<Void> told = Promise.promise();
      req.continueHandler(v -> {
        told.tryComplete();
        req.end(body);
      });
      Future<Integer> status = req.response().map(r -> r.statusCode());
      req.sendHead().await();
      assertEquals(io.vertx.core.http.HttpVersion.HTTP_2, req.version());
      told.future().await(10, TimeUnit.SECONDS); // the body is sent only once the server says so
      assertEquals(200, status.await(10, TimeUnit.SECONDS));
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /**
   * Mounted under the application's TimeoutHandler, a body still arriving when that handler answers 503: the
   * rest of it is read and dropped, not taken from the budget, and not exchanged, and the connection serves its
   * next request. Was a bug: the body reader went on reading into the body its end handler had already given
   * back: a NullPointerException on the event loop for the next part, and the connection answered nothing more.
   */
  @Test
  void aBodyStillArrivingWhenTheAppAnswersHoldsNothingAfterwards(Vertx vertx) {
    TideServerOptions options = new TideServerOptions().setPort(0).setDbPath(dir.resolve("answered.db").toString());
    dev.tide.server.TideServer tide = dev.tide.server.TideServer.open(vertx, options).await();
    TideServerImpl impl = (TideServerImpl) tide;
    io.vertx.ext.web.Router app = io.vertx.ext.web.Router.router(vertx);
    app.route().handler(io.vertx.ext.web.handler.TimeoutHandler.create(1000)); // fails the request with 503
    app.route("/tide/*").subRouter(tide.router());
    io.vertx.core.http.HttpServer http = vertx.createHttpServer(dev.tide.server.TideServer.httpServerOptions(options))
      .requestHandler(app).listen().await();
    NetClient client = vertx.createNetClient();
    try {
      Buffer body = honestRequest().toBuffer();
      int half = body.length() / 2;
      Buffer answer = Buffer.buffer();
      NetSocket socket = client.connect(http.actualPort(), "127.0.0.1").await();
      socket.handler(answer::appendBuffer);
      socket.write(Buffer.buffer("POST /tide/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n").appendBuffer(body.slice(0, half))).await();
      await().atMost(10, TimeUnit.SECONDS).until(() -> answer.toString().startsWith("HTTP/1.1 5")); // the app's 503
      // the rest of the body, then another request on the same connection: once it is answered, the body has been read
      socket.write(Buffer.buffer().appendBuffer(body.slice(half, body.length()))
        .appendString("GET /tide/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).await();
      await().atMost(10, TimeUnit.SECONDS).until(() -> answer.toString().contains("HTTP/1.1 200 OK"));
      assertEquals(0, impl.bufferedRequestBytes(), "the bytes that arrived after the answer are held by no one");
      assertEquals(0, tide.store().lastSeq(), "a request answered 503 is not exchanged afterwards");
    } finally {
      client.close().await();
      http.close().await();
      tide.close().await();
    }
  }

  @Test
  void bodyTimeoutSecondsIsAnOption() {
    assertEquals(TideServerOptions.DEFAULT_BODY_TIMEOUT_SECONDS, new TideServerOptions().getBodyTimeoutSeconds());
    assertEquals(5, new TideServerOptions(new JsonObject().put("bodyTimeoutSeconds", 5)).getBodyTimeoutSeconds());
    assertEquals(5, new TideServerOptions().setBodyTimeoutSeconds(5).toJson().getInteger("bodyTimeoutSeconds"));
    assertThrows(IllegalArgumentException.class, () -> new TideServerOptions().setBodyTimeoutSeconds(0));
  }

  /**
   * A WebSocket message still unfinished after bodyTimeoutSeconds (the socket answers pings, so it is not
   * idle) gives its bytes back and is refused; the rest of it is ignored and the socket serves requests.
   */
  @Test
  void anUnfinishedWebSocketMessageIsGivenUpInTime(Vertx vertx) throws Exception {
    ServerFixture server = start(vertx, new TideServerOptions().setMaxBufferedBodyBytes(1 << 20).setBodyTimeoutSeconds(1));
    TideServerImpl impl = (TideServerImpl) server.verticle.server();
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
      Promise<WebSocket> opened = Promise.promise();
      vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(server.port).setURI("/sync/ws")).onSuccess(s -> s.textMessageHandler(t -> frames.add(new JsonObject(t))))
        .onComplete(opened));
      WebSocket ws = opened.future().await();
      assertEquals("hello", frames.poll(10, TimeUnit.SECONDS).getString("type"));
      String start = new JsonObject().put("type", "sync").put("id", 1).put("request", honestRequest()).encode();
      ws.writeFrame(WebSocketFrame.textFrame(start.substring(0, start.length() - 1) + ",\"pad\":\"" + "x".repeat(60_000), false)).await();
      for (int i = 0; i < 8; i++) { // frames of at most 64 KiB; 540 KB held
        ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("x".repeat(60_000)), false)).await();
      }
      JsonObject refused = frames.poll(15, TimeUnit.SECONDS);
      assertNotNull(refused, "no answer to a message left unfinished");
      assertEquals("error", refused.getString("type"), refused.encode());
      assertEquals(0, impl.bufferedRequestBytes());
      ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("\"}"), true)).await(); // its end: ignored
      ws.writeTextMessage(new JsonObject().put("type", "sync").put("id", 2).put("request", honestRequest()).encode()).await();
      JsonObject next = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(next);
      assertEquals("result", next.getString("type"), next.encode());
      assertEquals(2, next.getInteger("id"));
    } finally {
      client.close().await();
      server.stop();
    }
  }

  /** The largest live heap the GC log reports (the "after" of "before->after(capacity)"): what was retained. */
  private static long peakHeapMiB(Path gcLog) throws IOException {
    long peak = 0;
    Matcher m = Pattern.compile("\\d+M->(\\d+)M\\(").matcher(Files.readString(gcLog));
    while (m.find()) {
      peak = Math.max(peak, Long.parseLong(m.group(1)));
    }
    return peak;
  }

  /** Streams {@code total} bytes as a chunked body (length unknown to the server); completes with the status. */
  private static Future<Integer> upload(Vertx vertx, HttpClientRequest req, long total) {
    Promise<Integer> status = Promise.promise();
    req.setChunked(true).putHeader("Content-Type", "application/json");
    req.response().onComplete(ar -> {
      if (ar.succeeded()) {
        status.tryComplete(ar.result().statusCode());
      } else {
        status.tryFail(ar.cause());
      }
    });
    long[] sent = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (sent[0] < total && !req.writeQueueFull() && !status.future().isComplete()) {
        req.write(Buffer.buffer(new byte[64 * 1024]));
        sent[0] += 64 * 1024;
      }
      if (sent[0] >= total || status.future().isComplete()) {
        req.end();
      } else {
        req.drainHandler(v -> pump[0].run());
      }
    };
    pump[0].run();
    return status.future();
  }
}

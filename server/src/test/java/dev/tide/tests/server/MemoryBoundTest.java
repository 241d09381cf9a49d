package dev.tide.tests.server;

import dev.tide.server.TideServerMain;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many concurrent oversized uploads of unknown length against a server JVM: each would be buffered up
 * to the 16 MiB body limit (60 × 16 MiB = 960 MiB without a bound). With a 32 MiB budget the server
 * answers every one with a 4xx (413 too large, 429 busy), stays up, and its heap stays small (the GC log
 * tells its peak).
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

package dev.tide.tests.websocket;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResult;
import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.http.SyncFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PROTOCOL.md §6 Sizes: "a request ≤ the hello's maxMessageBytes (the socket itself allows 64 KiB more,
 * for the envelope) ... a client checks its request against maxMessageBytes (its UTF-8 size) before
 * sending, and halves its batch or, for a single op, reports it rejected as too_large". A request of
 * exactly maxMessageBytes is within the limit: the client must send it, not drop its op.
 */
@ExtendWith(VertxExtension.class)
class MaxMessageBytesContractTest {

  @TempDir
  Path dir;
  SyncFixture fx;

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void requestOfExactlyMaxMessageBytesIsSent(Vertx vertx) {
    fx = new SyncFixture(vertx, dir).startServer();
    Tide a = fx.client("a", s -> s.setTransport("websocket"));
    String cursor = a.syncOnce().await().cursor(); // the pull of its own writes after opening: no push before it
    JsonObject doc = new JsonObject().put("s", "x".repeat(5000));
    Stamp stamp = a.collection("notes").put("x", doc).await();
    Buffer body = new SyncRequest(a.nodeId(), cursor, List.of(new Change("notes", "x", stamp, doc, ChangeSource.LOCAL)),
      new dev.tide.core.SyncOptions().getPullLimit()).toBuffer();
    // the operator lowers maxBodyBytes to exactly this request's size: the hello says maxMessageBytes = it
    fx.stopServer();
    fx.startServer(new TideServerOptions().setMaxBodyBytes(body.length()), null, null);
    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(a.rejectedAddress(), m -> rejected.add(m.body()));
    SyncResult r = a.syncOnce().await();
    // the same request, as bytes, over HTTP: the server takes it
    HttpResponse<Buffer> http = WebClient.create(vertx).postAbs(fx.url()).putHeader("Content-Type", "application/json")
      .sendBuffer(body).await();
    assertEquals(200, http.statusCode(), http.bodyAsString());
    assertEquals(List.of(), rejected, "op of a " + body.length() + "-byte request (maxMessageBytes " + body.length()
      + ") dropped by the client; HTTP took the same request: " + http.bodyAsString() + "; sync result " + r);
  }
}

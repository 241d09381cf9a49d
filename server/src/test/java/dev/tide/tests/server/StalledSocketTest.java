package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import dev.tide.server.impl.TideServerImpl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * PROTOCOL.md section 6, "Slow clients": a socket that stays full with none of its frames taken for
 * wsSlowClientSeconds is closed. A client that reads nothing never takes the close frame either, which
 * waits behind everything queued for it, and the close handshake's timeout only starts once it is sent:
 * the connection stayed open (until the HTTP idle timeout, or for good if the client took a byte now and
 * then), holding what was queued on it and what it had taken of the request-memory budget.
 */
@ExtendWith(VertxExtension.class)
class StalledSocketTest extends ProtocolContractFixture {

  @Test
  void aClientThatReadsNothingIsDisconnected(Vertx vertx) {
    ServerFixture server = start(vertx, new TideServerOptions().setWsSlowClientSeconds(1).setBodyTimeoutSeconds(600));
    TideServerImpl tide = (TideServerImpl) server.verticle.server();
    Raw stalled = raw(vertx, server.port);
    handshake(stalled);
    await().atMost(Duration.ofSeconds(10)).until(() -> stalled.text().contains("hello"));
    stalled.send(clientFrame(0x81, syncFrame(1, ServerFixture.request("stalled", null)).getBytes(StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(10)).until(() -> stalled.text().contains("result"));
    // the first part of a message: its bytes stay taken from the budget until the socket is gone
    stalled.send(clientFrame(0x01, "{\"type\":\"sync\",\"id\":2,".getBytes(StandardCharsets.UTF_8)));
    await().atMost(Duration.ofSeconds(10)).until(() -> tide.bufferedRequestBytes() > 0);
    stalled.socket.pause(); // reads nothing from now on: the kernel's buffers fill, then the server's queue
    String blob = "x".repeat(40_000);
    for (int k = 0; k < 10; k++) { // 16 MB of pushes for it
      JsonObject[] ops = new JsonObject[40];
      for (int i = 0; i < ops.length; i++) {
        ops[i] = ServerFixture.op("n", "d" + k + "_" + i, k * 100L + i + 1, "w", new JsonObject().put("blob", blob));
      }
      server.sync(ServerFixture.request("w", null, ops));
    }
    // cut 1 s after it stopped taking frames, then 5 s for the close handshake (it took some 25 s more before)
    await().atMost(Duration.ofSeconds(15)).until(() -> tide.bufferedRequestBytes() == 0);
  }
}

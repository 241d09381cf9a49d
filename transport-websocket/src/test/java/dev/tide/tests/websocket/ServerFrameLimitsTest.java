package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Frames from the server that break PROTOCOL.md section 6 below the JSON level: a binary frame, a frame
 * over 64 KiB, a text frame that is not UTF-8. The client must not take them for the server's refusal
 * of its request, and must back off while the server keeps sending them, as for malformed JSON frames.
 */
@ExtendWith(VertxExtension.class)
class ServerFrameLimitsTest extends FakeServerFixture {

  static final String CHANGE = "{\"collection\":\"c\",\"id\":\"x\",\"stamp\":{\"counter\":5,\"node\":\"other\"},\"doc\":{\"v\":\"BAD\"}}";


  /** A valid result for {@code sync}, padded to {@code size} chars. */
  static String result(JsonObject sync, int size) {
    JsonArray results = new JsonArray();
    sync.getJsonObject("request").getJsonArray("ops", new JsonArray()).forEach(op -> results.add("applied"));
    JsonObject frame = new JsonObject().put("type", "result").put("id", sync.getValue("id")).put("response", new JsonObject()
      .put("cursor", "c1").put("changes", new JsonArray()).put("more", false).put("results", results).put("remaining", 0));
    int pad = size - frame.encode().length() - 10;
    return pad > 0 ? frame.put("pad", "x".repeat(pad)).encode() : frame.encode();
  }

  /** Answers every sync frame with what {@code kind} says breaks the protocol. */
  int fakeServer(Vertx vertx, String kind) {
    HttpServer server = vertx.createHttpServer().webSocketHandler((ServerWebSocket ws) -> {
      connections.incrementAndGet();
      ws.writeTextMessage(HELLO);
      ws.textMessageHandler(t -> {
        JsonObject sync = new JsonObject(t);
        switch (kind) {
          case "binary" -> ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(result(sync, 0)), true));
          case "oversized frame" -> ws.writeFrame(WebSocketFrame.textFrame(result(sync, 70 * 1024), true));
          case "oversized message" -> ws.writeTextMessage(result(sync, 33 * 1024 * 1024)); // in frames of 64 KiB
          case "not UTF-8" -> { // a result whose change has a document string with bytes that are not UTF-8
            String[] parts = result(sync, 0).replace("\"changes\":[]", "\"changes\":[" + CHANGE + "]").split("BAD");
            ws.writeFrame(WebSocketFrame.textFrame(parts[0], false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xC3, (byte) 0x28}), false));
            ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(parts[1]), true));
          }
          default -> throw new IllegalArgumentException(kind);
        }
      });
    }).listen(0, "127.0.0.1").await();
    cleanup.add(() -> server.close().await());
    return server.actualPort();
  }

  /** The server's frame broke the protocol: the client's only write stays pending, not dropped as too large. */
  @ParameterizedTest
  @ValueSource(strings = {"binary", "oversized frame", "oversized message"})
  void aFrameTheClientCannotTakeDropsNoOp(String kind, Vertx vertx) throws Exception {
    Tide c = client(vertx, fakeServer(vertx, kind));
    List<JsonObject> rejected = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer("c.sync.rejected", m -> rejected.add(m.body()));
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    Exception e = assertThrows(Exception.class, () -> c.syncOnce().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertEquals(1L, c.pendingCount().await(), "the write is still pending, not dropped as rejected: " + e);
    assertEquals(List.of(), rejected);
  }

  /** A server that keeps sending such frames is not hammered: reconnects back off, as for malformed JSON. */
  @ParameterizedTest
  @ValueSource(strings = {"binary", "oversized frame"})
  void aServerThatKeepsSendingThemIsRetriedLessAndLessOften(String kind, Vertx vertx) {
    Tide c = client(vertx, fakeServer(vertx, kind));
    c.collection("c").put("a", new JsonObject().put("v", 1)).await();
    assertReconnectsBackOff(vertx, c);
  }

  /** A result whose bytes are not UTF-8 is not applied with replacement characters (the server is as strict with requests). */
  @org.junit.jupiter.api.Test
  void aResultThatIsNotUtf8IsNotApplied(Vertx vertx) throws Exception {
    Tide c = client(vertx, fakeServer(vertx, "not UTF-8"));
    Exception e = assertThrows(Exception.class, () -> c.syncOnce().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS),
      () -> "applied: " + c.collection("c").get("x").await());
    assertEquals(null, c.collection("c").get("x").await(), String.valueOf(e));
  }
}

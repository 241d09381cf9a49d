package dev.tide.tests.core;

import dev.tide.core.InvalidChangeException;
import dev.tide.core.OpResult;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client side of the sync vectors: what the codec accepts and refuses, field by field. */
class SyncMessagesTest {

  private static final JsonObject VECTORS = Vectors.load("sync.json");

  private static Stream<JsonObject> cases(String key) {
    return VECTORS.getJsonArray(key).stream().map(JsonObject.class::cast);
  }

  /** A protocol given as a string says what is wrong with it (it said "unsupported protocol version 1, this server speaks 1"). */
  @Test
  void aProtocolAsAStringSaysItMustBeAnInteger() {
    JsonObject request = new JsonObject().put("protocol", "1").put("node_id", "x").putNull("cursor");
    InvalidChangeException e = assertThrows(SyncProtocol.UnsupportedProtocolException.class, () -> SyncRequest.fromJson(request));
    assertTrue(e.getMessage().contains("must be the integer 1, got the string \"1\""), e.getMessage());
    e = assertThrows(SyncProtocol.UnsupportedProtocolException.class, () -> SyncRequest.fromBuffer(request.toBuffer()));
    assertTrue(e.getMessage().contains("must be the integer 1"), e.getMessage());
  }

  @TestFactory
  Stream<DynamicTest> validRequestsRoundTrip() {
    return cases("requests").map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      SyncRequest r = SyncRequest.fromJson(SyncProtocol.parseObject(v.getJsonObject("json").toBuffer()));
      assertEquals(r, SyncRequest.fromJson(r.toJson()));
      assertEquals(r.toJson(), new JsonObject(r.toBuffer()), "the streamed form is the same JSON");
    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidRequestsAreRefusedByTheCodec() {
    return cases("invalid").filter(v -> v.getString("method") == null && v.getString("contentType") == null && !v.containsKey("cursorAhead"))
      .filter(v -> !v.getString("code").equals("invalid_cursor") && !v.getString("code").equals("reset_required"))
      .map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
        Buffer body = v.containsKey("raw") ? Buffer.buffer(v.getString("raw")) : v.getJsonObject("json").toBuffer();
        InvalidChangeException e = assertThrows(InvalidChangeException.class,
          () -> SyncRequest.fromJson(SyncProtocol.parseObject(body)));
        switch (v.getString("code")) {
          case "invalid_json" -> assertEquals("body", e.field());
          case "unsupported_protocol" -> assertInstanceOf(SyncProtocol.UnsupportedProtocolException.class, e);
          default -> assertEquals(v.getString("field"), e.field(), e.getMessage());
        }
      }));
  }

  @TestFactory
  Stream<DynamicTest> responses() {
    return cases("responses").map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      if (v.getBoolean("valid")) {
        SyncResponse r = SyncResponse.fromJson(v.getJsonObject("json"));
        if (v.containsKey("rejected")) {
          v.getJsonArray("rejected").forEach(i -> assertEquals(OpResult.Status.REJECTED, r.results().get((Integer) i).status()));
        } else {
          assertEquals(v.getJsonObject("json"), r.toJson());
        }
      } else {
        InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncResponse.fromJson(v.getJsonObject("json")));
        assertEquals(v.getString("field"), e.field(), e.getMessage());
      }
    }));
  }

  @Test
  void deepNestingFailsFastWithoutStackOverflow() {
    String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncProtocol.parseObject(Buffer.buffer(deep)));
    assertEquals("body", e.field());
    assertTrue(e.getMessage().contains("nesting") || e.getMessage().contains("depth"), e.getMessage());
  }
}

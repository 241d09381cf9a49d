package dev.tide.tests.core;

import dev.tide.core.ChangeCodec;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.WireReader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SyncRequest#fromBuffer} and {@link SyncResponse#fromBuffer} stream a message instead of
 * building its tree: they must accept exactly what {@code fromJson} accepts, with equal results, and
 * refuse the rest with the same error (class, field, message), over the vectors and thousands of
 * seeded mutations of valid messages. Bad JSON is refused by both with field {@code body}.
 */
class StreamedMessagesTest {

  private static final JsonObject VECTORS = Vectors.load("sync.json");

  @Test
  void requestVectorsReadAlike() {
    int n = 0;
    for (String key : List.of("requests", "invalid")) {
      for (Object v : VECTORS.getJsonArray(key)) {
        JsonObject vector = (JsonObject) v;
        if (!vector.containsKey("raw") && vector.getJsonObject("json") == null) {
          continue; // a method or content-type case: no body to read
        }
        String body = vector.containsKey("raw") ? vector.getString("raw") : vector.getJsonObject("json").encode();
        assertSame(body, SyncRequest::fromBuffer, b -> SyncRequest.fromJson(SyncProtocol.parseObject(b)));
        n++;
      }
    }
    assertTrue(n > 20, n + " vectors");
  }

  @Test
  void responseVectorsReadAlike() {
    for (Object v : VECTORS.getJsonArray("responses")) {
      String body = ((JsonObject) v).getJsonObject("json").encode();
      assertSame(body, SyncResponse::fromBuffer, b -> SyncResponse.fromJson(SyncProtocol.parseObject(b)));
    }
  }

  @Test
  void mutatedRequestsReadAlike() {
    Random random = new Random(11);
    int refused = 0;
    for (int i = 0; i < 3_000; i++) {
      JsonObject request = new JsonObject().put("protocol", 1).put("node_id", "n1").put("cursor", i % 3 == 0 ? null : "e.5")
        .put("ops", ops(random, "n1")).put("limit", 100);
      String body = mutate(random, request).encode();
      body = mutateText(random, body);
      if (!assertSame(body, SyncRequest::fromBuffer, b -> SyncRequest.fromJson(SyncProtocol.parseObject(b)))) {
        refused++;
      }
    }
    assertTrue(refused > 1_000 && refused < 2_900, refused + " of 3000 refused");
  }

  @Test
  void mutatedResponsesReadAlike() {
    Random random = new Random(12);
    int refused = 0;
    for (int i = 0; i < 3_000; i++) {
      JsonObject response = new JsonObject().put("cursor", "e.9").put("changes", ops(random, "srv"))
        .put("more", random.nextBoolean()).put("results", new JsonArray().add("applied").add("superseded")
          .add(new JsonObject().put("status", "rejected").put("code", "c").put("message", "m")).add(7))
        .put("remaining", 3);
      String body = mutateText(random, mutate(random, response).encode());
      if (!assertSame(body, SyncResponse::fromBuffer, b -> SyncResponse.fromJson(SyncProtocol.parseObject(b)))) {
        refused++;
      }
    }
    assertTrue(refused > 1_000 && refused < 2_900, refused + " of 3000 refused");
  }

  @Test
  void documentsKeepTheTextTheyArrivedAs() {
    String doc = "{ \"t\" : \"caf\\u00e9 \\/ \u00e9\", \"n\": 1.50, \"big\": 123456789012345678901234567890, \"a\": [ ] }";
    String body = "{\"protocol\":1,\"node_id\":\"n1\",\"cursor\":null,\"ops\":[{\"collection\":\"c\",\"id\":\"x\","
      + "\"stamp\":{\"counter\":1,\"node\":\"n1\"},\"doc\":" + doc + "}]}";
    SyncRequest r = SyncRequest.fromBuffer(Buffer.buffer(body));
    assertEquals(doc, r.ops().get(0).docJson());
    assertEquals(SyncRequest.fromJson(new JsonObject(body)), r);
  }

  @Test
  void aRepeatedNameIsBadJson() {
    String body = "{\"protocol\":1,\"node_id\":\"n1\",\"cursor\":null,\"ops\":[{\"collection\":\"c\",\"id\":\"x\","
      + "\"stamp\":{\"counter\":1,\"node\":\"n1\"},\"doc\":{\"a\":1,\"a\":2}}]}";
    InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncRequest.fromBuffer(Buffer.buffer(body)));
    assertEquals("body", e.field());
    assertTrue(e.getMessage().contains("Duplicate"), e.getMessage());
  }

  @Test
  void theSizeLimitIsOnTheTextAsSentInUtf8Bytes() {
    String head = "{\"protocol\":1,\"node_id\":\"n1\",\"ops\":[{\"collection\":\"c\",\"id\":\"x\",\"stamp\":{\"counter\":1,\"node\":\"n1\"},\"doc\":";
    String fits = "{\"p\":\"" + "x".repeat(ChangeCodec.MAX_DOC_BYTES - 8) + "\"}"; // exactly the limit
    assertEquals(ChangeCodec.MAX_DOC_BYTES, fits.length());
    assertEquals(fits, SyncRequest.fromBuffer(Buffer.buffer(head + fits + "}]}")).ops().get(0).docJson());
    String spaced = fits.replace("{\"p\":", "{\"p\": "); // one byte over as sent
    InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncRequest.fromBuffer(Buffer.buffer(head + spaced + "}]}")));
    assertEquals("ops[0].doc", e.field());
    // in a WebSocket frame (read from text) the limit is still on UTF-8 bytes: 600,000 two-byte characters
    String wide = "{\"p\":\"" + "\u00e9".repeat(600_000) + "\"}";
    WireReader.Frame frame = WireReader.clientFrame("{\"type\":\"sync\",\"id\":1,\"request\":" + head + wide + "}]}}");
    assertEquals("request", frame.invalidField());
    assertEquals("ops[0].doc", frame.invalid().field());
  }

  @Test
  void utf16IsNotASyncMessage() {
    byte[] utf16 = "{\"protocol\":1,\"node_id\":\"n1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_16BE);
    InvalidChangeException e = assertThrows(InvalidChangeException.class, () -> SyncRequest.fromBuffer(Buffer.buffer(utf16)));
    assertEquals("body", e.field());
  }

  // ---- the comparison

  /** Both readers agree on the body; returns true if they accepted it. */
  private static <T> boolean assertSame(String body, Function<Buffer, T> streamed, Function<Buffer, T> tree) {
    Object expected = outcome(() -> tree.apply(Buffer.buffer(body)));
    Object actual = outcome(() -> streamed.apply(Buffer.buffer(body)));
    if (expected instanceof List<?> e && actual instanceof List<?> a && "body".equals(e.get(1))) {
      assertEquals(e.subList(0, 2), a.subList(0, 2), body); // bad JSON: the parsers word it differently
    } else {
      assertEquals(expected, actual, body);
    }
    return !(expected instanceof List<?>);
  }

  private static Object outcome(java.util.function.Supplier<?> read) {
    try {
      return read.get();
    } catch (InvalidChangeException e) {
      return List.of(e.getClass().getSimpleName(), e.field(), e.getMessage());
    }
  }

  // ---- seeded inputs

  private static JsonArray ops(Random random, String node) {
    JsonArray ops = new JsonArray();
    for (int i = random.nextInt(4); i >= 0; i--) {
      JsonObject op = new JsonObject().put("collection", "notes").put("id", "d" + random.nextInt(9))
        .put("stamp", new JsonObject().put("counter", 1 + random.nextInt(1000)).put("node", node));
      if (random.nextInt(4) == 0) {
        op.put("deleted", true);
      } else {
        op.put("doc", new JsonObject().put("t", "x" + i).put("n", random.nextInt(99)).put("f", 1.5)
          .put("tags", new JsonArray().add("a").add(new JsonObject().put("k", new JsonArray().add(1).add(2)))).put("none", (Object) null));
      }
      if (random.nextInt(5) == 0) {
        op.put("extra", new JsonObject().put("ignored", true));
      }
      ops.add(op);
    }
    return ops;
  }

  private static final Object[] ODD_VALUES = {null, "", "s", "\uD800", 0, -1, 1.5, Long.MAX_VALUE, 9007199254740992L,
    true, false, new JsonObject(), new JsonArray(), new JsonObject().put("counter", 1).put("node", "n1"),
    new JsonArray().add(1), "notes", "n1", "n2", "a/b", ".x", "x".repeat(300)};

  /** Replaces, removes or adds one value somewhere in the message (or nothing). */
  private static JsonObject mutate(Random random, JsonObject message) {
    List<Object> containers = new ArrayList<>();
    collect(message, containers);
    Object target = containers.get(random.nextInt(containers.size()));
    int what = random.nextInt(10);
    Object odd = ODD_VALUES[random.nextInt(ODD_VALUES.length)];
    odd = odd instanceof JsonObject j ? j.copy() : odd instanceof JsonArray a ? a.copy() : odd;
    if (target instanceof JsonObject o && !o.isEmpty()) {
      List<String> names = new ArrayList<>(o.fieldNames());
      String name = names.get(random.nextInt(names.size()));
      if (what < 6) {
        o.put(name, odd);
      } else if (what < 8) {
        o.remove(name);
      } else {
        o.put(random.nextBoolean() ? "deleted" : "doc", odd);
      }
    } else if (target instanceof JsonArray a && !a.isEmpty()) {
      a.set(random.nextInt(a.size()), odd);
    }
    return message;
  }

  private static void collect(Object value, List<Object> into) {
    if (value instanceof JsonObject o) {
      into.add(o);
      o.forEach(e -> collect(e.getValue(), into));
    } else if (value instanceof JsonArray a) {
      into.add(a);
      a.forEach(v -> collect(v, into));
    }
  }

  /** Text the tree cannot make: lone surrogate escapes, numbers beyond double, deep nesting, broken JSON. */
  private static String mutateText(Random random, String body) {
    return switch (random.nextInt(14)) {
      case 0 -> body.replaceFirst("\"x0\"", "\"\\\\ud800x\"");
      case 1 -> body.replaceFirst("1\\.5", "1e400");
      case 2 -> body.replaceFirst("\"t\"", "\"\\\\udc00\"");
      case 3 -> body.replaceFirst("\\{\"t\"", "{\"deep\":" + "[".repeat(63) + "]".repeat(63) + ",\"t\"");
      case 4 -> body.replaceFirst("\\{\"t\"", "{\"deep\":" + "[".repeat(64) + "]".repeat(64) + ",\"t\"");
      case 5 -> body.substring(0, random.nextInt(body.length()));
      case 6 -> body + " {}";
      case 7 -> body.replaceFirst(":", ":  ");
      default -> body;
    };
  }
}

package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.Stamp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeCodecTest {

  /** The hand-written collection check accepts exactly what {@link ChangeCodec#COLLECTION_PATTERN} describes. */
  @Test
  void collectionCheckMatchesThePattern() {
    List<String> names = new ArrayList<>(List.of("", "x".repeat(63), "x".repeat(64), "x".repeat(65), "_".repeat(64), ".x", "-x", "x.", "x-"));
    for (char c = 0; c < 0x300; c++) {
      names.add(String.valueOf(c));
      names.add("a" + c);
      names.add(c + "a");
    }
    names.add("\uD83D\uDE00");
    for (String name : names) {
      boolean expected = ChangeCodec.COLLECTION_PATTERN.matcher(name).matches();
      boolean accepted;
      try {
        ChangeCodec.checkCollection(name, "collection");
        accepted = true;
      } catch (InvalidChangeException e) {
        accepted = false;
      }
      assertEquals(expected, accepted, "collection name " + name.codePoints().boxed().toList());
    }
  }

  /** Nested maps and lists (not only JsonObject/JsonArray) are walked for bad keys, strings and numbers. */
  @Test
  void nestedMapsAndListsAreChecked() {
    assertThrows(InvalidChangeException.class,
      () -> ChangeCodec.checkDoc(new JsonObject().put("a", Map.of("b", List.of(Double.NaN))), "doc"));
    assertThrows(InvalidChangeException.class,
      () -> ChangeCodec.checkDoc(new JsonObject().put("a", List.of(Map.of(1, "x"))), "doc"));
    assertThrows(InvalidChangeException.class,
      () -> ChangeCodec.checkDoc(new JsonObject().put("a", Map.of("k", "\uD800")), "doc"));
    assertEquals("{\"a\":{\"b\":[1,\"x\"]}}", ChangeCodec.checkDoc(new JsonObject().put("a", Map.of("b", List.of(1, "x"))), "doc"));
  }

  private static final JsonObject VECTORS = Vectors.load("changes.json");

  @TestFactory
  Stream<DynamicTest> validVectorsRoundTrip() {
    return VECTORS.getJsonArray("valid").stream().map(JsonObject.class::cast).map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      Change c = ChangeCodec.decode(v.getJsonObject("json"), ChangeSource.REMOTE);
      JsonObject expected = v.getJsonObject("encoded", v.getJsonObject("json"));
      assertEquals(expected.encode(), c.toJson().encode());
      assertEquals(c, Change.fromJson(c.toJson()));
    }));
  }

  @TestFactory
  Stream<DynamicTest> invalidVectorsNameTheField() {
    return VECTORS.getJsonArray("invalid").stream().map(JsonObject.class::cast).map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      InvalidChangeException e = assertThrows(InvalidChangeException.class,
        () -> ChangeCodec.decode(v.getValue("json"), ChangeSource.REMOTE));
      assertEquals(v.getString("field"), e.field(), e.getMessage());
    }));
  }

  @TestFactory
  Stream<DynamicTest> lwwVectors() {
    return VECTORS.getJsonArray("lww").stream().map(JsonObject.class::cast).map(v -> DynamicTest.dynamicTest(v.getString("name"), () -> {
      Stamp a = ChangeCodec.decodeStamp(v.getJsonObject("a"), "a");
      Stamp b = ChangeCodec.decodeStamp(v.getJsonObject("b"), "b");
      switch (v.getString("winner")) {
        case "a" -> assertTrue(a.beats(b) && !b.beats(a));
        case "b" -> assertTrue(b.beats(a) && !a.beats(b));
        default -> assertFalse(a.beats(b) || b.beats(a));
      }
    }));
  }

  @Test
  void exactWireForm() {
    Change put = new Change("notes", "n1", new Stamp(7, "a1"), new JsonObject().put("title", "Hi"), ChangeSource.LOCAL);
    assertEquals("{\"collection\":\"notes\",\"id\":\"n1\",\"stamp\":{\"counter\":7,\"node\":\"a1\"},\"doc\":{\"title\":\"Hi\"}}",
      put.toJson().encode());
    Change del = new Change("notes", "n1", new Stamp(8, "a1"), null, ChangeSource.LOCAL);
    assertEquals("{\"collection\":\"notes\",\"id\":\"n1\",\"stamp\":{\"counter\":8,\"node\":\"a1\"},\"deleted\":true}",
      del.toJson().encode());
    assertEquals("local", del.toEventJson().getString("source"));
    assertEquals(del, ChangeCodec.decodeEvent(del.toEventJson()));
  }

  @Test
  void stampOrderAndNull() {
    Stamp s = new Stamp(3, "x");
    assertTrue(s.beats(null));
    assertFalse(s.beats(s));
    assertTrue(new Stamp(4, "a").beats(new Stamp(3, "zzzz")));
    assertThrows(InvalidChangeException.class, () -> new Stamp(Stamp.MAX_COUNTER + 1, "a"));
    assertThrows(InvalidChangeException.class, () -> new Stamp(-1, "a"));
  }

  @Test
  void docLimits() {
    JsonObject deep = new JsonObject();
    JsonObject cur = deep;
    for (int i = 1; i < ChangeCodec.MAX_DOC_DEPTH; i++) {
      JsonObject next = new JsonObject();
      cur.put("n", next);
      cur = next;
    }
    ChangeCodec.checkDoc(deep, "doc"); // exactly the limit
    cur.put("n", new JsonArray().add(1));
    assertEquals("doc", assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(deep, "doc")).field());

    String big = "x".repeat(ChangeCodec.MAX_DOC_BYTES);
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("b", big), "doc"));
    String multiByte = "é".repeat(ChangeCodec.MAX_DOC_BYTES / 2); // 2 bytes each: over the limit once quoted
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("b", multiByte), "doc"));
    ChangeCodec.checkDoc(new JsonObject().put("b", "x".repeat(1_000_000)), "doc");

    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("n", Double.NaN), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("n", Double.POSITIVE_INFINITY), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("n", Float.NaN), "doc"));
    // a receiver's parser refuses longer numbers and keys: refused here, not by the server for the whole request
    ChangeCodec.checkDoc(new JsonObject().put("n", new java.math.BigInteger("9".repeat(ChangeCodec.MAX_NUMBER_CHARS))), "doc");
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(
      new JsonObject().put("n", new java.math.BigInteger("9".repeat(ChangeCodec.MAX_NUMBER_CHARS + 1))), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(
      new JsonObject().put("n", new java.math.BigDecimal("0." + "1".repeat(ChangeCodec.MAX_NUMBER_CHARS))), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("n", new java.math.BigDecimal("-1E+309")), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(
      new JsonObject().put("n", new java.util.concurrent.atomic.DoubleAdder() {{ add(Double.NaN); }}), "doc"));
    ChangeCodec.checkDoc(new JsonObject().put("é".repeat(ChangeCodec.MAX_KEY_BYTES / 2), 1), "doc");
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("é".repeat(ChangeCodec.MAX_KEY_BYTES / 2 + 1), 1), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDocValues(new JsonObject().put("s", new StringBuilder("\uDC00")), "doc"));
    ChangeCodec.checkDocValues(new JsonObject().put("c", 'c'), "doc");
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDocValues(new JsonObject().put("c", '\uD800'), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDocValues(new JsonObject().put("u", java.util.UUID.randomUUID()), "doc"));
    assertThrows(InvalidChangeException.class,
      () -> ChangeCodec.checkDoc(new JsonObject().put("a", new JsonArray().add(new JsonArray().add(Float.NEGATIVE_INFINITY))), "doc"));
    assertEquals("{\"f\":1.5,\"d\":2.5,\"i\":3,\"l\":4,\"b\":true,\"z\":null}", ChangeCodec.checkDoc(new JsonObject()
      .put("f", 1.5f).put("d", 2.5d).put("i", 3).put("l", 4L).put("b", true).putNull("z"), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("s", "\uD800"), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("\uDC00", 1), "doc"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("o", new Object()), "doc"));
    List<Object> list = new ArrayList<>();
    list.add(Map.of("k", Double.NaN));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(new JsonObject().put("l", list), "doc"));
    assertNull(assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkDoc(null, "doc")).getCause());
  }

  @Test
  void utf8LengthIsCountedOnlyWhenItMatters() {
    assertFalse(ChangeCodec.utf8LongerThan("x".repeat(10), 10));
    assertTrue(ChangeCodec.utf8LongerThan("x".repeat(11), 10));
    assertFalse(ChangeCodec.utf8LongerThan("é".repeat(5), 10)); // 2 bytes each
    assertTrue(ChangeCodec.utf8LongerThan("é".repeat(6), 10));
    assertFalse(ChangeCodec.utf8LongerThan("😀".repeat(2), 8)); // a surrogate pair: 4 bytes for 2 chars
    assertTrue(ChangeCodec.utf8LongerThan("€".repeat(4), 11)); // 3 bytes each
  }

  @Test
  void idRules() {
    ChangeCodec.checkId("x".repeat(ChangeCodec.MAX_ID_LENGTH), "id");
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkId("x".repeat(ChangeCodec.MAX_ID_LENGTH + 1), "id"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkId("a\nb", "id"));
    assertThrows(InvalidChangeException.class, () -> ChangeCodec.checkId("a\uD83D", "id"));
    ChangeCodec.checkId("😀 emoji / slashes ? ok", "id");
  }

  @Test
  void withinQualifiesTheField() {
    InvalidChangeException e = new InvalidChangeException("stamp.counter", "must be an integer").within("ops[3]");
    assertEquals("ops[3].stamp.counter", e.field());
    assertEquals("ops[3].stamp.counter: must be an integer", e.getMessage());
  }
}

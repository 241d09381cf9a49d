package dev.tide.core;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads, writes and validates {@link Change}s (ops and changes) in their JSON wire form:
 * <pre>
 * {"collection":"notes","id":"n1","stamp":{"counter":7,"node":"a1"},"doc":{...}}
 * {"collection":"notes","id":"n1","stamp":{"counter":8,"node":"a1"},"deleted":true}
 * </pre>
 * Client and server share these rules, so that anything a client accepts locally can be pushed.
 * Unknown fields are ignored (forward compatibility). Every violation is an
 * {@link InvalidChangeException} naming the field.
 */
public final class ChangeCodec {

  /** Collection names: 1–64 characters of {@code [A-Za-z0-9_.-]}, not starting with '.' or '-'. */
  public static final Pattern COLLECTION_PATTERN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
  /** Node ids: 1–64 URL-safe characters. */
  public static final Pattern NODE_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** Document ids: 1–256 UTF-16 code units, no control characters, no unpaired surrogates. */
  public static final int MAX_ID_LENGTH = 256;
  /** A document's serialized JSON form is at most 1 MiB of UTF-8. */
  public static final int MAX_DOC_BYTES = 1 << 20;
  /** Objects and arrays nest at most 64 deep in a document (the document itself is depth 1). */
  public static final int MAX_DOC_DEPTH = 64;
  /** A number in a message is at most 64 characters as written (the parser refuses a longer one). */
  public static final int MAX_NUMBER_CHARS = 64;
  /**
   * An object key in a document is at most 50,000 bytes of UTF-8: what {@code new JsonObject(text)} (Jackson's
   * default limit) reads back. Sync messages are parsed with a 64 KiB limit, so older data still passes.
   */
  public static final int MAX_KEY_BYTES = 50_000;

  private ChangeCodec() {
  }

  // ---- validation of single fields (also used by the local write API)

  public static String checkCollection(Object value, String field) {
    if (!(value instanceof String s)) {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be a string");
    }
    if (!validCollection(s)) {
      throw new InvalidChangeException(field, "must be 1-64 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
    }
    return s;
  }

  /** {@link #COLLECTION_PATTERN} as a loop: it runs for every write, and the regex matcher cost a visible share. */
  private static boolean validCollection(String s) {
    int n = s.length();
    if (n == 0 || n > 64 || s.charAt(0) == '.' || s.charAt(0) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  public static String checkId(Object value, String field) {
    if (!(value instanceof String s)) {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be a string");
    }
    if (s.isEmpty() || s.length() > MAX_ID_LENGTH) {
      throw new InvalidChangeException(field, "must be 1-" + MAX_ID_LENGTH + " characters long");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new InvalidChangeException(field, "must not contain control characters");
      }
    }
    if (!wellFormed(s)) {
      throw new InvalidChangeException(field, "must not contain unpaired surrogates");
    }
    return s;
  }

  public static String checkNode(Object value, String field) {
    if (!(value instanceof String s)) {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be a string");
    }
    if (!NODE_PATTERN.matcher(s).matches()) {
      throw new InvalidChangeException(field, "must be 1-64 characters of [A-Za-z0-9_-]");
    }
    return s;
  }

  public static long checkCounter(Object value, String field) {
    if (value instanceof java.math.BigInteger) {
      throw new InvalidChangeException(field, "must be in [0, 2^53-1]");
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be an integer");
    }
    long c = ((Number) value).longValue();
    if (c < 0 || c > Stamp.MAX_COUNTER) {
      throw new InvalidChangeException(field, "must be in [0, 2^53-1]");
    }
    return c;
  }

  /**
   * Checks a document and returns its serialized form: a JSON object, at most {@link #MAX_DOC_DEPTH}
   * deep, no NaN/Infinity, strings without unpaired surrogates, at most {@link #MAX_DOC_BYTES}.
   */
  public static String checkDoc(Object value, String field) {
    return encodeDoc(checkDocValues(value, field), field);
  }

  /**
   * The first half of {@link #checkDoc}: the document's shape and values, without serializing it.
   * Returns it as a JsonObject (a Map is wrapped, not copied).
   */
  public static JsonObject checkDocValues(Object value, String field) {
    JsonObject doc;
    if (value instanceof JsonObject o) {
      doc = o;
    } else if (value instanceof Map<?, ?> m) {
      doc = new JsonObject(castMap(m));
    } else {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be a JSON object");
    }
    checkValue(doc, 1, field);
    return doc;
  }

  /** The second half of {@link #checkDoc}: serializes a document {@link #checkDocValues} accepted, within the size limit. */
  public static String encodeDoc(JsonObject doc, String field) {
    String json;
    try {
      json = doc.encode();
    } catch (EncodeException | IllegalStateException e) {
      throw new InvalidChangeException(field, "is not JSON-encodable: " + e.getMessage());
    }
    if (utf8LongerThan(json, MAX_DOC_BYTES)) {
      throw new InvalidChangeException(field, "is larger than " + MAX_DOC_BYTES + " bytes serialized");
    }
    return json;
  }

  private static void checkValue(Object v, int depth, String field) {
    // walks the underlying maps and lists: JsonObject's own iterator wraps every nested Map/List in a new object.
    // Final classes are tested first: on JDK 17 a String tested against an interface (Map, List) misses the
    // one-entry type-check cache whenever the tested interface alternates, a scan and a shared write each time.
    if (v instanceof String s) {
      checkString(s, field);
    } else if (v instanceof JsonObject o) {
      checkMap(o.getMap(), depth, field);
    } else if (v instanceof JsonArray a) {
      checkList(a.getList(), depth, field);
    } else if (v instanceof Double d) {
      checkFinite(Double.isFinite(d), field);
    } else if (v instanceof Float f) {
      checkFinite(Float.isFinite(f), field);
    } else if (v == null || v instanceof Integer || v instanceof Long || v instanceof Boolean) {
      return; // always valid
    } else if (v instanceof BigDecimal || v instanceof BigInteger) {
      // written as toString(): a receiver's parser refuses a longer number, and an infinite double as a float
      if (v.toString().length() > MAX_NUMBER_CHARS) {
        throw new InvalidChangeException(field, "has a number longer than " + MAX_NUMBER_CHARS + " characters");
      }
      checkFinite(Double.isFinite(((Number) v).doubleValue()), field);
    } else if (v instanceof Map<?, ?> m) {
      checkMap(m, depth, field);
    } else if (v instanceof List<?> l) {
      checkList(l, depth, field);
    } else if (v instanceof Number n) { // any other Number is written as its double value
      checkFinite(Double.isFinite(n.doubleValue()), field);
    } else if (v instanceof CharSequence cs) { // a document's copy holds its toString()
      checkString(cs.toString(), field);
    } else if (v instanceof Character c) { // kept by a copy; written as a string where Jackson Databind is present
      checkString(String.valueOf(c), field);
    } else if (!(v instanceof Instant || v instanceof byte[] || v instanceof Buffer || v instanceof Enum<?>)) {
      // what JsonObject.encode() writes (Instant as ISO-8601, bytes as base64, an enum as its name) and nothing else
      throw new InvalidChangeException(field, "is not JSON-encodable: has a " + v.getClass().getName());
    }
  }

  private static void checkString(String s, String field) {
    if (!wellFormed(s)) {
      throw new InvalidChangeException(field, "has a string with unpaired surrogates");
    }
  }

  private static void checkFinite(boolean finite, String field) {
    if (!finite) {
      throw new InvalidChangeException(field, "has a non-finite number (NaN or Infinity)");
    }
  }

  private static void checkMap(Map<?, ?> m, int depth, String field) {
    checkDepth(depth, field);
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new InvalidChangeException("doc", "has a non-string key");
      }
      if (!wellFormed(key)) {
        throw new InvalidChangeException(field, "has a key with unpaired surrogates");
      }
      if (utf8LongerThan(key, MAX_KEY_BYTES)) {
        throw new InvalidChangeException(field, "has a key longer than " + MAX_KEY_BYTES + " bytes");
      }
      checkValue(e.getValue(), depth + 1, field);
    }
  }

  private static void checkList(List<?> l, int depth, String field) {
    checkDepth(depth, field);
    for (Object item : l) {
      checkValue(item, depth + 1, field);
    }
  }

  private static void checkDepth(int depth, String field) {
    if (depth > MAX_DOC_DEPTH) {
      throw new InvalidChangeException(field, "nests deeper than " + MAX_DOC_DEPTH + " levels");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new InvalidChangeException("doc", "has a non-string key");
      }
    }
    return (Map<String, Object>) m;
  }

  /** True if the string has no unpaired surrogate (so it survives UTF-8 encoding unchanged). */
  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * True if the text takes more than {@code maxBytes} in UTF-8. A char takes 1 to 3 bytes (a surrogate pair
   * 4 for 2 chars), so the text is encoded only when its length alone cannot tell.
   */
  public static boolean utf8LongerThan(String s, long maxBytes) {
    if (s.length() * 3L <= maxBytes) {
      return false;
    }
    return s.length() > maxBytes || s.getBytes(StandardCharsets.UTF_8).length > maxBytes;
  }

  // ---- whole changes

  /** Validates and decodes one op/change from its JSON form. */
  public static Change decode(Object value, ChangeSource source) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidChangeException("change", "must be a JSON object");
    }
    String collection = checkCollection(json.getValue("collection"), "collection");
    String id = checkId(json.getValue("id"), "id");
    Stamp stamp = decodeStamp(json.getValue("stamp"), "stamp");
    Object deleted = json.getValue("deleted");
    Object doc = json.getValue("doc");
    if (deleted != null && !(deleted instanceof Boolean)) {
      throw new InvalidChangeException("deleted", "must be a boolean");
    }
    if (Boolean.TRUE.equals(deleted)) {
      if (doc != null) {
        throw new InvalidChangeException("doc", "must be absent when deleted is true");
      }
      return new Change(collection, id, stamp, null, source);
    }
    String docJson = checkDoc(doc, "doc");
    return Change.of(collection, id, stamp, (JsonObject) doc, docJson, source);
  }

  public static Stamp decodeStamp(Object value, String field) {
    if (!(value instanceof JsonObject json)) {
      throw new InvalidChangeException(field, value == null ? "is required" : "must be an object {counter, node}");
    }
    long counter = checkCounter(json.getValue("counter"), field + ".counter");
    String node = checkNode(json.getValue("node"), field + ".node");
    return new Stamp(counter, node);
  }

  /** The exact wire form of a change (without its source). */
  public static JsonObject encode(Change change) {
    JsonObject json = new JsonObject()
      .put("collection", change.collection())
      .put("id", change.id())
      .put("stamp", change.stamp().toJson());
    if (change.deleted()) {
      json.put("deleted", true);
    } else {
      json.put("doc", change.doc());
    }
    return json;
  }

  /** Reads the {@code source} of a change notification in JSON form (see {@link Change#toEventJson()}). */
  public static Change decodeEvent(JsonObject json) {
    return decode(json, ChangeSource.fromJson(json.getString("source")));
  }
}

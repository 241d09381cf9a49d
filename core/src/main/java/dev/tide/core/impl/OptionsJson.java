package dev.tide.core.impl;

import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an options object's JSON form strictly: a value of the wrong type, a fraction, or a number out
 * of the field's range is an {@link IllegalArgumentException} naming the field (JsonObject's own getters
 * would truncate 4294967297 to 1, or fail with a bare ClassCastException). An absent key keeps the default;
 * an explicit null is refused, except for a string or object whose default is null.
 */
public final class OptionsJson {

  private final String type;
  private final JsonObject json;

  public OptionsJson(String type, JsonObject json) {
    this.type = type;
    this.json = json;
  }

  public int intValue(String key, int defaultValue) {
    return (int) longValue(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  public long longValue(String key, long defaultValue) {
    return longValue(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private long longValue(String key, long defaultValue, long min, long max) {
    Object v = json.getValue(key);
    if (v == null) {
      return absent(key, defaultValue);
    }
    if (!(v instanceof Number n)) {
      throw invalid(key, "must be a number", v);
    }
    BigDecimal d = n instanceof BigDecimal b ? b : n instanceof BigInteger i ? new BigDecimal(i)
      : n instanceof Double || n instanceof Float ? toDecimal(key, n.doubleValue()) : BigDecimal.valueOf(n.longValue());
    if (d.stripTrailingZeros().scale() > 0) {
      throw invalid(key, "must be a whole number", v);
    }
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw invalid(key, "must be in [" + min + ", " + max + "]", v);
    }
    return d.longValueExact();
  }

  private BigDecimal toDecimal(String key, double d) {
    if (!Double.isFinite(d)) {
      throw invalid(key, "must be a finite number", d);
    }
    return new BigDecimal(d);
  }

  public String stringValue(String key, String defaultValue) {
    Object v = json.getValue(key);
    if (v == null) {
      return absent(key, defaultValue); // an explicit null is refused, even where absent means none (a url)
    }
    if (!(v instanceof String s)) {
      throw invalid(key, "must be a string", v);
    }
    return s;
  }

  public boolean booleanValue(String key, boolean defaultValue) {
    Object v = json.getValue(key);
    if (v == null) {
      return absent(key, defaultValue);
    }
    if (!(v instanceof Boolean b)) {
      throw invalid(key, "must be true or false", v);
    }
    return b;
  }

  /** A constant of {@code values} by name, any case. */
  public <E extends Enum<E>> E enumValue(String key, Class<E> values, E defaultValue) {
    String name = stringValue(key, null);
    if (name == null) {
      return absent(key, defaultValue); // an explicit null is refused: the default is not null
    }
    for (E e : values.getEnumConstants()) {
      if (e.name().equals(name.toUpperCase(Locale.ROOT))) {
        return e;
      }
    }
    throw invalid(key, "must be one of " + Arrays.toString(values.getEnumConstants()), name);
  }

  /** A JSON object value (null when absent). */
  public JsonObject objectValue(String key) {
    Object v = json.getValue(key);
    if (v != null && !(v instanceof JsonObject)) {
      throw invalid(key, "must be a JSON object", v);
    }
    return (JsonObject) v;
  }

  /** A JSON object of strings, e.g. headers (empty when absent); any other value, null included, is refused. */
  public Map<String, String> stringMapValue(String key) {
    Map<String, String> map = new LinkedHashMap<>();
    JsonObject object = objectValue(key);
    if (object == null) {
      absent(key, null); // an explicit null is refused: the default is an empty map
    }
    if (object != null) {
      object.forEach(e -> {
        if (!(e.getValue() instanceof String s)) {
          throw invalid(key + "." + e.getKey(), "must be a string", e.getValue());
        }
        map.put(e.getKey(), s);
      });
    }
    return map;
  }

  /** The default for a key that is absent; a key present with null is refused. */
  private <T> T absent(String key, T defaultValue) {
    if (json.containsKey(key)) {
      throw invalid(key, "must not be null", null);
    }
    return defaultValue;
  }

  private IllegalArgumentException invalid(String key, String rule, Object value) {
    String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    return new IllegalArgumentException("invalid " + type + " JSON: " + key + " " + rule + ", got " + shown);
  }
}

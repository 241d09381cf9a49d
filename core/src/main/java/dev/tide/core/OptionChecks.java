package dev.tide.core;

import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;

/** Checks shared by the options data objects: a bad value is refused when it is set, naming the option. */
final class OptionChecks {

  private OptionChecks() {
  }

  static long atLeast(long value, long min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  static int atLeast(int value, int min, String name) {
    return (int) atLeast((long) value, min, name);
  }

  /** Reads {@code json} into options: a value of the wrong type or a missing required one is an IllegalArgumentException. */
  static void fromJson(String type, JsonObject json, Consumer<JsonObject> read) {
    try {
      read.accept(json);
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("invalid " + type + " JSON: " + e.getMessage(), e);
    }
  }
}

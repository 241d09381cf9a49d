package dev.tide.core;

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
}

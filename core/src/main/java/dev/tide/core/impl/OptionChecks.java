package dev.tide.core.impl;

/**
 * Checks shared by the options data objects (client and server): a bad value is refused when it is
 * set, with an {@link IllegalArgumentException} naming the option.
 */
public final class OptionChecks {

  private OptionChecks() {
  }

  public static long atLeast(long value, long min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
    return value;
  }

  public static int atLeast(int value, int min, String name) {
    return (int) atLeast((long) value, min, name);
  }

  public static <T> T notNull(T value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
    return value;
  }
}

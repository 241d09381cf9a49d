package dev.tide.core.impl;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

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

  /** A string that must say something: null, empty or only whitespace is refused. */
  public static String notBlank(String value, String name, String why) {
    if (notNull(value, name).isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank (" + why + "), got \"" + value + "\"");
    }
    return value;
  }

  /**
   * A store's SQLite file: names that SQLite or sqlite-jdbc read as something other than a file (empty or
   * {@code :memory:} for an in-memory database, a {@code file:} URI, a {@code :resource:}) are refused. A
   * store needs a real file: its lock file, WAL and second connection live beside it.
   */
  public static String dbPath(String path, String name) {
    notNull(path, name);
    if (path.isEmpty() || path.equals(":memory:") || path.startsWith("file:") || path.startsWith(":resource:")) {
      throw new IllegalArgumentException(name + " must be a file's path (not an in-memory database or an SQLite URI), got \""
        + path + "\"");
    }
    try {
      Path.of(path);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(name + " is not a valid path: " + e.getMessage());
    }
    return path;
  }
}

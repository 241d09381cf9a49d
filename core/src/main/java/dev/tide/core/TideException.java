package dev.tide.core;

/** Base class of the errors tide reports through failed futures. */
public class TideException extends RuntimeException {

  public TideException(String message) {
    super(message);
  }

  public TideException(String message, Throwable cause) {
    super(message, cause);
  }
}

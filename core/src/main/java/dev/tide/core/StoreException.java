package dev.tide.core;

/**
 * The local store cannot be used: it is locked by another open {@link Tide}, its schema is newer than
 * this library, the file is not a tide store (a refused file is left unchanged), it is closed, or SQLite
 * failed. A write that fails with it was not committed.
 */
public class StoreException extends TideException {

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.tide.core;

/**
 * Base class of the errors tide itself reports through failed futures: bad input
 * ({@link InvalidChangeException}), the local store ({@link StoreException}), the server's answers
 * ({@link SyncException}), a server that cannot be reached or a connection that failed mid-exchange
 * ({@link SyncUnreachableException}, with the transport's exception as its cause). Misuse of the API (an
 * argument out of range, syncing a store without {@code TideOptions.setSync}) fails with an
 * {@link IllegalArgumentException} or {@link IllegalStateException}.
 */
public class TideException extends RuntimeException {

  public TideException(String message) {
    super(message);
  }

  public TideException(String message, Throwable cause) {
    super(message, cause);
  }
}

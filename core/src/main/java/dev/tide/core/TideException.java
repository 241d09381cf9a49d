package dev.tide.core;

/**
 * Base class of the errors tide itself reports through failed futures: bad input
 * ({@link InvalidChangeException}), the local store ({@link StoreException}), the server's answers
 * ({@link SyncException}). A server that cannot be reached fails a sync with the transport's own
 * exception instead (a {@link java.net.ConnectException} when nothing listens, an
 * {@link io.vertx.core.VertxException} for a timeout or a dropped connection), and misuse of the API (an
 * argument out of range, syncing a store without {@code TideOptions.setSync}) with an
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

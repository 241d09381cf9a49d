package dev.tide.core;

/**
 * A sync could not reach the server, or lost the connection before the answer arrived: nothing listens,
 * the name does not resolve, TLS fails, an exchange made no progress for {@code requestTimeoutMs}, or the
 * connection dropped. The transport's own exception is the {@link #getCause() cause}.
 * <p>
 * Nothing is lost: every pending write stays in the outbox, and background sync retries with backoff
 * (the status is {@link SyncStatus.State#OFFLINE}). Tell it from the server's answers
 * ({@link SyncException}) to show "offline" rather than an error.
 */
public class SyncUnreachableException extends TideException {

  public SyncUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }

}

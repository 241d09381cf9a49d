package dev.tide.core.impl;

import dev.tide.core.SyncUnreachableException;
import dev.tide.core.TideException;

/**
 * An exchange that failed before any of its request left the client: no connection could be made, the
 * headers provider failed, a WebSocket's {@code hello} never came. Nothing was lost on the way, so the
 * exchange sizes stay ({@link ExchangeSize}): an offline client that keeps retrying must not come back
 * pushing one op at a time. For the app it is a {@link SyncUnreachableException} like any other, with the
 * transport's exception as its cause.
 */
public final class RequestNotSentException extends SyncUnreachableException {

  private RequestNotSentException(Throwable cause) {
    super("cannot reach the sync server: " + cause.getMessage(), cause);
  }

  /** {@code failure} marked as not sent; tide's own exceptions (the server's answer to an upgrade...) as they are. */
  public static Throwable of(Throwable failure) {
    return failure instanceof TideException ? failure : new RequestNotSentException(failure);
  }
}

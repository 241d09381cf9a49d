package dev.tide.core.spi;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * Carries sync exchanges to a server (PROTOCOL.md). One exchange at a time: the sync engine never
 * calls {@link #exchange} again before the previous future completed.
 * <p>
 * Failures: a {@link dev.tide.core.SyncException} when the server answered with an error (after one
 * header refresh on 401); any other exception when no answer arrived (the engine reports "offline").
 * A failure before any of the request left (no connection, no headers) should be marked with
 * {@link dev.tide.core.impl.RequestNotSentException#of}: a lost exchange makes the next ones smaller,
 * a request never sent does not (a {@code ConnectException} or {@code UnknownHostException} among the
 * causes counts as not sent too).
 */
public interface SyncTransport {

  Future<SyncResponse> exchange(SyncRequest request);

  /**
   * Where changes the server pushes without being asked go (WebSocket). The engine applies them like
   * a pull's changes. Transports without push never call it.
   */
  default void pushHandler(Handler<PushedChanges> handler) {
  }

  /**
   * Called when a connection to the server is (re)established on the transport's own initiative, e.g.
   * a WebSocket reconnecting after a drop: the engine then syncs to catch up from its cursor.
   */
  default void connectedHandler(Handler<Void> handler) {
  }

  /**
   * Called when a connection the server pushed on is lost (it drops, or the server goes away), while the
   * transport reconnects on its own: the engine then syncs, which reports the state (offline) at once
   * and retries with backoff until the connection is back, instead of staying idle in the meantime.
   */
  default void disconnectedHandler(Handler<Void> handler) {
  }

  /** Whether the server pushes changes right now (connected), so periodic polling can be skipped. */
  default boolean pushes() {
    return false;
  }

  Future<Void> close();
}

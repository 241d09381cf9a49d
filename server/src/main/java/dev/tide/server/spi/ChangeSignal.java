package dev.tide.server.spi;

import io.vertx.core.Handler;

/**
 * "New changes were committed": how live pushes learn that there is something to send. The SQLite
 * store signals in-process; a shared-database backend (PostgreSQL LISTEN/NOTIFY) also carries the
 * signal between server instances. Handlers must not block; they get the newest committed sequence.
 */
public interface ChangeSignal {

  /** Registers a handler; the returned runnable unregisters it. */
  Runnable subscribe(Handler<Long> onCommitted);
}

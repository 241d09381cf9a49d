package dev.tide.server.spi;

import io.vertx.core.Handler;

/**
 * "New changes were committed": how live pushes learn that there is something to send. The SQLite
 * store signals in-process, on its writer thread right after each commit that changed data; a
 * shared-database backend (PostgreSQL LISTEN/NOTIFY) also carries the signal between server instances.
 * Handlers may run on any thread and must return quickly, without blocking.
 */
public interface ChangeSignal {

  /** Registers a handler; the returned runnable unregisters it. */
  Runnable subscribe(Handler<CommittedChanges> onCommitted);
}

package dev.tide.core;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * Committed changes as a {@link ReadStream}, in commit order. While paused (or with no handler), up to
 * {@link #DEFAULT_MAX_BUFFERED} changes are buffered and later ones are dropped; once the buffered ones
 * are delivered, the exception handler gets a {@link ChangesDroppedException} with the count: read the
 * store again then (e.g. {@link TideCollection#list()}). The stream starts receiving when a handler is
 * first set; {@code handler(null)} detaches without stopping it. It ends (the end handler is called
 * once) on {@link #close()} or when the store closes.
 */
public interface ChangeStream extends ReadStream<Change> {

  int DEFAULT_MAX_BUFFERED = 10_000;

  @Override
  ChangeStream exceptionHandler(Handler<Throwable> handler);

  @Override
  ChangeStream handler(Handler<Change> handler);

  @Override
  ChangeStream pause();

  @Override
  ChangeStream resume();

  @Override
  ChangeStream fetch(long amount);

  @Override
  ChangeStream endHandler(Handler<Void> endHandler);

  /** Stops the stream (unregisters its consumer); the end handler is called. */
  Future<Void> close();
}

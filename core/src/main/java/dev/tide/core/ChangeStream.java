package dev.tide.core;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * Committed changes as a {@link ReadStream}. Backed by an event-bus consumer: while paused, up to
 * {@link #DEFAULT_MAX_BUFFERED} changes are buffered and later ones are dropped (with a warning in
 * the Vert.x log); read the store again (e.g. {@link TideCollection#list()}) after a long pause.
 * The stream starts receiving when a handler is set and stops on {@link #close()}.
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

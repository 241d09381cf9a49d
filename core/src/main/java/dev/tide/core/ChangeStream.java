package dev.tide.core;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * Committed changes as a {@link ReadStream}, in commit order, on the context that called
 * {@code watch()}. The stream receives while a handler is set ({@code handler(null)}, what a pipe does
 * when it ends, stops it and drops what it held). While paused, up to {@link #DEFAULT_MAX_BUFFERED}
 * changes are buffered (while flowing but lagging, that many plus one commit's batch) and later ones are
 * dropped: where the gap is, the exception handler gets a
 * {@link ChangesDroppedException} with the count; read the store again then (e.g.
 * {@link TideCollection#list()}). It ends once (the end handler is called): at once on {@link #close()},
 * after the changes it holds when the store closes (a paused stream when resumed), and when the
 * verticle that made it is undeployed.
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

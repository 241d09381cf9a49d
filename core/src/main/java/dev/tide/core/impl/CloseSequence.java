package dev.tide.core.impl;

import io.vertx.core.Closeable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a store closes: sync stops, then the reader, the writer, the watch streams and the worker threads
 * close in turn, and the store's address prefix is released; close() futures complete on their callers'
 * contexts. {@link TideImpl} runs it once.
 */
final class CloseSequence {

  /** The address prefix this store holds in its Vert.x instance, and its claim on it (released at close). */
  private volatile String prefix;
  private volatile String prefixOwner;

  private final Vertx vertx;
  private final Context context;
  private final SyncEngine engine;
  private final ReadQueue reads;
  private final ReaderStore reader;
  private final GroupCommitWriter<WriterStore> writer;
  private final ChangeFeed feed;
  private final WorkerExecutor writerExecutor;
  private final WorkerExecutor readerExecutor;

  /** What close() returned on each context that called it. */
  private final Map<Context, Future<Void>> closedOn = new ConcurrentHashMap<>();

  CloseSequence(Vertx vertx, Context context, SyncEngine engine, ReadQueue reads, ReaderStore reader,
                GroupCommitWriter<WriterStore> writer, ChangeFeed feed, WorkerExecutor writerExecutor,
                WorkerExecutor readerExecutor) {
    this.vertx = vertx;
    this.context = context;
    this.engine = engine;
    this.reads = reads;
    this.reader = reader;
    this.writer = writer;
    this.feed = feed;
    this.writerExecutor = writerExecutor;
    this.readerExecutor = readerExecutor;
  }

  /** This store holds the address prefix in its Vert.x instance, under this claim (released at close). */
  void claimed(String prefix, String owner) {
    this.prefix = prefix;
    this.prefixOwner = owner;
  }

  /** {@code closed} as close() returns it to the calling thread. */
  Future<Void> onCaller(Future<Void> closed) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return closed;
    }
    // on the caller's context, like every other future of this API (the steps end on the store's workers'
    // contexts); one per context, so that close() called again there is the same future
    return closedOn.computeIfAbsent(caller, c -> {
      Promise<Void> onCaller = ((ContextInternal) c).promise();
      closed.onComplete(onCaller);
      return onCaller.future();
    });
  }

  /** Runs the steps, once the store is marked closing; {@code closeHook} no longer closes it. */
  Future<Void> run(Closeable closeHook) {
    Future<Void> syncStopped;
    try {
      syncStopped = engine == null ? Future.succeededFuture() : engine.close();
    } catch (RuntimeException e) {
      syncStopped = Future.failedFuture(e);
    }
    // the reader closes first: the last connection to close checkpoints and removes the WAL,
    // which a read-only connection cannot do
    ((ContextInternal) context).removeCloseHook(closeHook);
    // every step runs whatever failed before it; the close fails with the first failure
    Future<Void> closed = CloseSteps.andThen(syncStopped, () -> reads.close(context, () -> {
      reader.close();
      return null;
    }));
    closed = CloseSteps.andThen(closed, writer::close);
    closed = CloseSteps.andThen(closed, this::endStreams);
    closed = CloseSteps.andThen(closed, writerExecutor::close);
    closed = CloseSteps.andThen(closed, readerExecutor::close);
    return closed.onComplete(ar -> {
      if (prefix != null) {
        StoreOpening.release(vertx, prefix, prefixOwner);
      }
    });
  }

  /** Watch streams end after the last change published (queued writes included), on the store's context. */
  private Future<Void> endStreams() {
    Promise<Void> ended = Promise.promise();
    context.runOnContext(v -> {
      feed.closeStreams();
      ended.complete();
    });
    return ended.future();
  }
}

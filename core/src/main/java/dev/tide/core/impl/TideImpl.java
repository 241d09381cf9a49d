package dev.tide.core.impl;

import dev.tide.core.Batch;
import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.ChangeStream;
import dev.tide.core.Document;
import dev.tide.core.Stamp;
import dev.tide.core.StoreException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResult;
import dev.tide.core.SyncStatus;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Closeable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The client: one writer thread (group commit) and one reader thread over one SQLite file. */
public final class TideImpl implements Tide {

  private final Vertx vertx;
  private final Context context;
  private final TideOptions options;
  private final String nodeId;
  private final WorkerExecutor writerExecutor;
  private final WorkerExecutor readerExecutor;
  private final ReadQueue reads;
  private final GroupCommitWriter<WriterStore> writer;
  private final ReaderStore reader;
  private final WriterStore store;
  private final ChangeFeed feed;
  private final Map<String, TideCollection> collections = new ConcurrentHashMap<>();
  private final SyncEngine engine;
  private final ReadCache cache;
  private final OutboxPrefetch prefetch;
  private final CallerContexts callers;
  private final CloseSequence closer;
  private volatile Future<Void> closing;

  TideImpl(Vertx vertx, Context context, TideOptions options, WorkerExecutor writerExecutor,
                   WorkerExecutor readerExecutor, WriterStore store, ReaderStore reader) {
    this.vertx = vertx;
    this.context = context;
    this.callers = new CallerContexts(context);
    this.options = options;
    this.nodeId = store.nodeId();
    this.writerExecutor = writerExecutor;
    this.readerExecutor = readerExecutor;
    this.reads = new ReadQueue(readerExecutor);
    this.reader = reader;
    this.store = store;
    this.feed = new ChangeFeed(vertx, options.getAddressPrefix(), options.isChangesAsJson());
    this.writer = new GroupCommitWriter<>(writerExecutor, store, options.getMaxWritesPerTransaction(), context, this::committed);
    this.cache = new ReadCache(options.getReadCacheSize());
    SyncOptions sync = options.getSync();
    this.prefetch = new OutboxPrefetch();
    writer.onCommit(changes -> {
      cache.committed(changes);
      prefetch.committed(changes, store);
    });
    this.engine = sync == null ? null : new SyncEngine(this, context, sync, Transports.create(vertx, sync), store.cursor(),
      store.caughtUp(), store.resetting(), store.ownPullPending(), prefetch);
    this.closer = new CloseSequence(vertx, context, engine, reads, reader, writer, feed, writerExecutor, readerExecutor);
    // closed with what opened it, like a client Vert.x makes in a verticle: its undeploy, or Vertx.close()
    // (false: what opened it is closed already, and nothing would close the store: the open closes it)
    this.hooked = ((ContextInternal) context).closeFuture().add(closeHook);
  }

  private final Closeable closeHook = completion -> closeOnce().onComplete(completion); // on no context: it may be closing
  private final boolean hooked;

  /** False when what opened the store was closed before it was made: nothing else would close it. */
  boolean hooked() {
    return hooked;
  }

  /** After each commit, on the store's context: notify the app, and let sync know about local writes. */
  private void committed(List<Change> changes) {
    feed.publishNow(changes);
    if (engine != null) {
      for (Change c : changes) {
        if (c.source() == ChangeSource.LOCAL) {
          engine.localCommitted();
          break;
        }
      }
    }
  }

  public static Future<Tide> open(Vertx vertx, TideOptions options) {
    return StoreOpening.open(vertx, options);
  }

  /** This store holds the address prefix in its Vert.x instance, under this claim (released at close). */
  void claimed(String prefix, String owner) {
    closer.claimed(prefix, owner);
  }

  @Override
  public TideCollection collection(String name) {
    TideCollection c = name == null ? null : collections.get(name);
    if (c == null) {
      ChangeCodec.checkCollection(name, "collection");
      c = collections.computeIfAbsent(name, n -> new CollectionImpl(this, n));
    }
    return c;
  }

  @Override
  public Future<List<Stamp>> batch(Consumer<Batch> writes) {
    List<LocalWrite> list = new ArrayList<>();
    try {
      writes.accept(new Batch() {
        @Override
        public Batch put(String collection, String id, JsonObject doc) {
          list.add(LocalWrite.putInBatch(collection, id, doc));
          return this;
        }

        @Override
        public Batch delete(String collection, String id) {
          list.add(LocalWrite.delete(collection, id));
          return this;
        }
      });
    } catch (RuntimeException e) { // a refused document, or the app's own code failed: nothing is written
      return now(Future.failedFuture(e));
    }
    if (closing != null) {
      return now(Future.failedFuture(new StoreException("store is closed")));
    }
    if (list.isEmpty()) {
      return now(Future.succeededFuture(List.of()));
    }
    Future<List<Stamp>> committed = writer.submit(new LocalWrite.Many(callers.caller(), list));
    LocalWrite.serializeAhead(list); // while the writer starts on the first documents
    return committed;
  }

  Future<Stamp> write(LocalWrite write) {
    if (closing != null) { // the writer itself refuses only once the reader and sync have closed
      return now(Future.failedFuture(new StoreException("store is closed")));
    }
    return writer.submit(new LocalWrite.Single(callers.caller(), write));
  }

  /** A result known at once, on the caller's context (CallerContexts). */
  <T> Future<T> now(Future<T> result) {
    return callers.now(result);
  }

  /**
   * Applies validated remote changes and the new cursor in one transaction (last-writer-wins).
   * Completes with the number of changes that won.
   */
  public Future<Integer> applyRemote(List<dev.tide.core.Change> changes, String cursor) {
    return writer.submit(SyncCommit.apply(callers.caller(), changes, cursor));
  }

  /** Runs a query on the reader thread; the future completes on the caller's context. */
  <T> Future<T> read(Callable<T> query) {
    if (closing != null) {
      return now(Future.failedFuture(new StoreException("store is closed")));
    }
    return reads.submit(callers.caller(), () -> {
      try {
        return query.call();
      } catch (SQLException e) {
        reader.recover(); // the next read works again
        throw e;
      }
    });
  }

  ReaderStore reader() {
    return reader;
  }

  ChangeFeed feed() {
    return feed;
  }

  /** A change stream of one collection (null: all): on the caller's context (the store's from a plain thread). */
  ChangeStream stream(String collection) {
    return feed.stream(collection, context, closing != null);
  }

  /** How many sync runs pushed an outbox batch read right after a commit on the writer (monitoring, tests). */
  public long runsWithPrefetchedOutbox() {
    return prefetch.runsPrefetched();
  }

  /** The most pushed changes held at once while an earlier push was being applied (monitoring, tests). */
  public int mostQueuedPushedChanges() {
    return engine == null ? 0 : engine.mostQueuedChanges();
  }

  /** The group-commit writer (tests and the sync engine use it). */
  public GroupCommitWriter<WriterStore> writer() {
    return writer;
  }

  public Vertx vertx() {
    return vertx;
  }

  public TideOptions options() {
    return options;
  }

  /** Outbox entries as of the last commit (any thread). */
  long pendingNow() {
    return store.pendingCount();
  }

  @Override
  public Future<Long> pendingCount() {
    if (closing != null) {
      return now(Future.failedFuture(new StoreException("store is closed")));
    }
    return now(Future.succeededFuture(store.pendingCount())); // counted by the writer: no query
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public ChangeStream watch() {
    return stream(null);
  }

  @Override
  public String address() {
    return feed.address();
  }

  /** A sync call: fails (as a future) when the store is closed or has no sync configured. */
  private <T> Future<T> withEngine(java.util.function.Function<SyncEngine, Future<T>> call) {
    if (engine == null) {
      return now(Future.failedFuture(closing != null ? new StoreException("store is closed")
        : new IllegalStateException("sync is not configured: set TideOptions.setSync(new SyncOptions().setUrl(...))")));
    }
    return whileOpen(() -> call.apply(engine));
  }

  @Override
  public Future<SyncResult> syncOnce() {
    return withEngine(SyncEngine::syncOnce);
  }

  @Override
  public Future<Void> startSync() {
    return withEngine(e -> e.start(-1));
  }

  @Override
  public Future<Void> startSync(java.time.Duration interval) {
    if (interval == null || interval.isNegative() || interval.isZero()) {
      return now(Future.failedFuture(new IllegalArgumentException("interval must be positive, got " + interval)));
    }
    return withEngine(e -> e.start(interval.toMillis()));
  }

  @Override
  public Future<Void> stopSync() {
    return withEngine(SyncEngine::stop);
  }

  @Override
  public Future<SyncStatus> syncStatus() {
    return withEngine(SyncEngine::status);
  }

  @Override
  public Future<Void> initialSync() {
    return withEngine(SyncEngine::initialSync);
  }

  @Override
  public String statusAddress() {
    return options.getAddressPrefix() + ".sync.status";
  }

  @Override
  public String rejectedAddress() {
    return options.getAddressPrefix() + ".sync.rejected";
  }

  /** Sync calls after close fail, like every other call (a started sync would retry a closed store for ever). */
  private <T> Future<T> whileOpen(java.util.function.Supplier<Future<T>> call) {
    if (closing != null) {
      return now(Future.failedFuture(new StoreException("store is closed")));
    }
    return callers.onCaller(call.get());
  }

  @Override
  public Future<Void> close() {
    return closer.onCaller(closeOnce());
  }

  private synchronized Future<Void> closeOnce() {
    if (closing == null) {
      // set first: code that runs while closing (a stream's end handler) finds the store closed
      Promise<Void> done = Promise.promise();
      closing = done.future();
      closer.run(closeHook).onComplete(done);
    }
    return closing;
  }

  /** A document's body: from the read cache when it knows it, else from the reader thread (then cached). */
  Future<JsonObject> get(String collection, String id) {
    ReadCache.Entry hit = cache.get(collection, id);
    if (hit != null) {
      if (closing != null) {
        return now(Future.failedFuture(new StoreException("store is closed")));
      }
      return now(Future.succeededFuture(hit.json() == null ? null : new JsonObject(hit.json())));
    }
    long mark = cache.mark();
    return read(() -> {
      ReaderStore.Body body = reader.body(collection, id);
      if (body != null) {
        cache.fill(collection, id, body.json(), mark);
      }
      return body == null || body.json() == null ? null : new JsonObject(body.json());
    });
  }

  /** Reads one document on the reader thread. */
  Future<Document> document(String collection, String id) {
    return read(() -> reader.document(collection, id));
  }
}

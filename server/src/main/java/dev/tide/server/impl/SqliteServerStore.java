package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.StoreException;
import dev.tide.core.Synchronous;
import dev.tide.core.impl.CloseSteps;
import dev.tide.core.impl.GroupCommitWriter;
import dev.tide.core.impl.StoreWorkers;
import dev.tide.core.impl.WriteTask;
import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded server store: one SQLite file, one writer thread with group commit (concurrent pushes
 * share transactions; each completes after COMMIT), and a small pool of read-only connections for
 * pulls, which WAL lets run while the writer commits.
 */
public final class SqliteServerStore implements ServerStore {

  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final int READERS = 2;
  private final Vertx vertx;
  private final ServerWriter store;
  private final WorkerExecutor writerExecutor;
  private final WorkerExecutor readerExecutor;
  private final GroupCommitWriter<ServerWriter> writer;
  private final ArrayBlockingQueue<PageReader> readers = new ArrayBlockingQueue<>(READERS);
  private final CommitListeners listeners = new CommitListeners();
  private volatile boolean closed;
  private Future<Void> closing;

  private SqliteServerStore(Vertx vertx, ServerWriter store, WorkerExecutor writerExecutor, WorkerExecutor readerExecutor) {
    this.vertx = vertx;
    this.store = store;
    this.writerExecutor = writerExecutor;
    this.readerExecutor = readerExecutor;
    this.writer = new GroupCommitWriter<>(writerExecutor, store, 10_000, null, null); // nothing to publish on an event loop
    // on the writer thread, before the commit's futures complete: a pushing client's exchange finds its commit
    writer.onCommit(events -> listeners.fire(store.lastCommitted()));
  }

  public static Future<ServerStore> open(Vertx vertx, String path, Synchronous synchronous) {
    String name = "tide-server-store-" + INSTANCES.incrementAndGet();
    WorkerExecutor writerExecutor = StoreWorkers.create(vertx, name + "-writer", 1);
    WorkerExecutor readerExecutor = StoreWorkers.create(vertx, name + "-reader", READERS);
    return writerExecutor.executeBlocking(() -> ServerWriter.open(path, synchronous))
      .compose(w -> readerExecutor.<ServerStore>executeBlocking(() -> {
        SqliteServerStore s = new SqliteServerStore(vertx, w, writerExecutor, readerExecutor);
        try {
          for (int i = 0; i < READERS; i++) {
            s.readers.add(new PageReader(path));
          }
        } catch (SQLException | RuntimeException e) {
          s.readers.forEach(PageReader::close);
          throw e;
        }
        return s;
      }).recover(e -> writerExecutor.executeBlocking(() -> {
        w.close();
        return null;
      }).transform(closed -> Future.failedFuture(e)))) // the open fails once the file is free again
      .recover(e -> {
        writerExecutor.close();
        readerExecutor.close();
        return Future.failedFuture(e);
      });
  }

  @Override
  public String epoch() {
    return store.epoch();
  }

  @Override
  public long lastSeq() {
    return store.committedSeq();
  }

  @Override
  public long purgedSeq() {
    return store.purgedSeq();
  }

  @Override
  public Future<Long> purgeTombstones(long committedBeforeMillis) {
    return writer.submit(new WriteTask<ServerWriter, Long>(vertx.getOrCreateContext()) {
      @Override
      protected Long run(ServerWriter w, List<Change> events) throws SQLException {
        return w.purgeTombstones(committedBeforeMillis);
      }
    });
  }

  @Override
  public Future<List<OpResult>> push(String namespace, List<Change> ops) {
    Context ctx = vertx.getOrCreateContext();
    return writer.submit(new WriteTask<ServerWriter, List<OpResult>>(ctx) {
      @Override
      protected List<OpResult> run(ServerWriter w, List<Change> events) throws SQLException {
        List<OpResult> results = new ArrayList<>(ops.size());
        for (Change op : ops) {
          OpResult r = w.apply(namespace, op);
          results.add(r);
          if (r == OpResult.APPLIED) {
            events.add(op);
          }
        }
        return results;
      }

      @Override
      protected int weight() {
        return Math.max(1, ops.size());
      }
    });
  }

  @Override
  public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
    if (closed) { // a closed worker executor would never run (nor fail) the task
      return Future.failedFuture(new StoreException("store is closed"));
    }
    return readerExecutor.executeBlocking(() -> {
      PageReader reader;
      while ((reader = readers.poll(50, TimeUnit.MILLISECONDS)) == null) {
        if (closed) { // close() holds the readers for good: a pull queued behind it must not wait for ever
          throw new StoreException("store is closed");
        }
      }
      try {
        return reader.read(namespace, afterSeq, excludeNode, limit, maxBytes);
      } catch (java.sql.SQLException e) {
        reader.recover(); // the next pull on it works again
        // the store failed, not the server: 503 unavailable (retry later), as a failed write is
        throw new StoreException("read failed: " + e.getMessage(), e);
      } finally {
        readers.add(reader);
      }
    }, false);
  }

  @Override
  public ChangeSignal signal() {
    return listeners;
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true;
      // read-only connections close first: the last connection to close checkpoints and removes the WAL,
      // which only a writing connection can do
      Future<Void> done = readerExecutor.executeBlocking(() -> {
        for (int i = 0; i < READERS; i++) {
          readers.take().close(); // waits for a pull still running
        }
        return null;
      }, false);
      done = CloseSteps.andThen(done, writer::close);
      done = CloseSteps.andThen(done, writerExecutor::close);
      closing = CloseSteps.andThen(done, readerExecutor::close);
    }
    return closing;
  }
}

package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.StoreException;
import dev.tide.core.TideException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The single writer of a store, with group commit: tasks submitted while a transaction runs are
 * committed together in the next one, and each task's future completes only after that COMMIT.
 * All SQLite writes run on one Vert.x worker thread (a dedicated worker executor of size 1, kept by
 * {@link WorkerDrain} while writes keep coming), never on an event loop. Changes committed by a group
 * are handed to {@code publisher} after the commit, in
 * commit order; a rolled-back group publishes nothing.
 */
public final class GroupCommitWriter<S extends GroupCommitWriter.Store> {

  /** The transactional resource a writer owns (the client's or the server's SQLite store). */
  public interface Store {
    /** Starts the group's transaction. */
    void begin() throws java.sql.SQLException;

    void commit() throws java.sql.SQLException;

    /** Rolls back the current transaction and any in-memory state it changed. */
    void rollback();

    /** After a failed transaction, once rolled back: makes the connection fit for the next one. */
    void recover();

    void close();
  }


  private static final System.Logger LOG = System.getLogger(GroupCommitWriter.class.getName());

  private final WorkerExecutor executor;
  private final S store;
  private final int maxGroupWeight;
  private final Context publisherContext;
  private final Consumer<List<Change>> publisher;
  private volatile Consumer<List<Change>> onCommit = changes -> { };
  private final ConcurrentLinkedQueue<WriteTask<? super S, ?>> queue = new ConcurrentLinkedQueue<>();
  private final WorkerDrain drain;
  private final Object lifecycle = new Object();
  private boolean closed;
  private long transactions;

  /**
   * @param publisherContext where {@code publisher} runs, after each commit, in commit order (null with no publisher)
   * @param publisher        receives the changes of each committed group (not called for empty ones); may be null
   */
  public GroupCommitWriter(WorkerExecutor executor, S store, int maxGroupWeight, Context publisherContext,
                           Consumer<List<Change>> publisher) {
    this.executor = executor;
    this.store = store;
    this.maxGroupWeight = maxGroupWeight;
    this.publisherContext = publisherContext;
    this.publisher = publisher;
    this.drain = new WorkerDrain(executor, () -> !queue.isEmpty(), this::commitGroup, this::failQueued);
  }

  /**
   * Runs on the writer thread right after each COMMIT, before any future of it completes (for state
   * that must never be observed older than a completed write, like a read cache).
   */
  public void onCommit(Consumer<List<Change>> hook) {
    this.onCommit = hook;
  }

  public <T> Future<T> submit(WriteTask<? super S, T> task) {
    synchronized (lifecycle) {
      if (closed) {
        return Future.failedFuture(new StoreException("store is closed"));
      }
      queue.add(task);
    }
    drain.signal();
    return task.future();
  }

  /** Number of transactions committed so far (group commit makes it lower than the number of writes). */
  public long transactions() {
    return transactions;
  }

  /** Commits what is queued, then closes the store. Later submissions fail. */
  public Future<Void> close() {
    synchronized (lifecycle) {
      closed = true;
    }
    return executor.<Void>executeBlocking(() -> {
      while (!queue.isEmpty()) {
        commitGroup();
      }
      store.close();
      return null;
    }, false);
  }

  /** The writer thread could not run (its executor closed, or a bug escaped a group): fail what waits. */
  private void failQueued(Throwable cause) {
    WriteTask<? super S, ?> t;
    while ((t = queue.poll()) != null) {
      fail(t, cause);
    }
  }

  private void commitGroup() {
    List<WriteTask<? super S, ?>> group = new ArrayList<>();
    int weight = 0;
    WriteTask<? super S, ?> task;
    while (weight < maxGroupWeight && (task = queue.poll()) != null) {
      group.add(task);
      weight += task.weight();
    }
    if (group.isEmpty()) {
      return;
    }
    List<Change> events = new ArrayList<>();
    try {
      store.begin();
      for (WriteTask<? super S, ?> t : group) {
        runTask(t, events);
      }
      store.commit();
      transactions++;
    } catch (Throwable e) {
      store.rollback();
      store.recover();
      if (group.size() == 1) {
        fail(group.get(0), e);
      } else {
        group.forEach(this::commitAlone);
      }
      return;
    }
    dispatch(group, events);
  }

  /** After a failed group: each task in its own transaction, so one bad task fails alone. */
  private void commitAlone(WriteTask<? super S, ?> t) {
    List<Change> events = new ArrayList<>();
    try {
      store.begin();
      runTask(t, events);
      store.commit();
      transactions++;
    } catch (Throwable e) {
      store.rollback();
      store.recover();
      fail(t, e);
      return;
    }
    dispatch(List.of(t), events);
  }

  private <T> void runTask(WriteTask<? super S, T> t, List<Change> events) throws Exception {
    t.result = t.run(store, events);
  }

  /**
   * After a commit: one task per context, so a group costs one wake-up per event loop. On the
   * publisher's context the futures complete before the changes are published: a caller awaiting a
   * large batch goes on while its changes are announced (publishing is a visible share of a batch).
   */
  private void dispatch(List<? extends WriteTask<? super S, ?>> group, List<Change> events) {
    if (!events.isEmpty()) {
      try {
        onCommit.accept(events);
      } catch (Throwable e) { // the group is committed: its futures must still complete
        LOG.log(System.Logger.Level.ERROR, "commit hook failed", e);
      }
    }
    boolean publish = publisher != null && !events.isEmpty();
    Map<Context, List<WriteTask<?, ?>>> byContext = new IdentityHashMap<>();
    if (publish) {
      byContext.put(publisherContext, new ArrayList<>());
    }
    for (WriteTask<?, ?> t : group) {
      byContext.computeIfAbsent(t.context, c -> new ArrayList<>()).add(t);
    }
    byContext.forEach((ctx, tasks) -> onContext(ctx, () -> {
      tasks.forEach(GroupCommitWriter::succeed);
      if (publish && ctx == publisherContext) {
        publisher.accept(events);
      }
    }));
  }

  private static <T> void succeed(WriteTask<?, T> t) {
    t.promise.complete(t.result);
  }

  private static void fail(WriteTask<?, ?> t, Throwable e) {
    Throwable error = e instanceof TideException ? e : new StoreException("write not committed: " + e.getMessage(), e);
    onContext(t.context, () -> t.promise.fail(error));
  }

  /** Runs on the context; here if its event loop is gone (Vert.x closed): a future must still complete. */
  private static void onContext(Context context, Runnable action) {
    try {
      context.runOnContext(v -> action.run());
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      action.run();
    }
  }
}

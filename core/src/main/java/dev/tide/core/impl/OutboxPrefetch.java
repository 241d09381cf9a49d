package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outbox batch a sync run would read first, read on the writer thread right after a commit of
 * local writes while sync is idle. The engine hears of the commit on its context and starts a run with
 * this batch, instead of asking the reader thread for it: that hand-off there and back was about a
 * third of a live write's way to the server.
 * <p>
 * The engine asks for a batch ({@link #want}) only while no run is in flight, and every write of its
 * own happens inside a run, so a batch read while it is wanted holds every outbox change the engine has
 * seen; one taken while a run is in flight is dropped ({@link #take} empties it either way).
 */
final class OutboxPrefetch {

  private static final System.Logger LOG = System.getLogger(OutboxPrefetch.class.getName());

  private volatile int maxEntries;
  private volatile int maxBytes;
  private final AtomicReference<OutboxBatch> ready = new AtomicReference<>();
  private volatile long used;

  /** On the engine's context: sync is idle; read batches of this size after local commits. */
  void want(int maxEntries, int maxBytes) {
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
  }

  /** On the engine's context: a run started; read nothing until it ends. */
  void stop() {
    maxEntries = 0;
  }

  /** On the writer thread, after a commit and before its futures complete. */
  void committed(List<Change> changes, WriterStore store) {
    int entries = maxEntries;
    if (entries == 0 || !hasLocal(changes)) {
      return;
    }
    try {
      ready.set(store.outbox(entries, maxBytes));
    } catch (SQLException | RuntimeException e) { // only a shortcut: the run reads the outbox itself
      ready.set(null);
      LOG.log(System.Logger.Level.DEBUG, "outbox prefetch failed", e);
    }
  }

  /** On the engine's context, when it hears of a local commit: the newest batch, or null. */
  OutboxBatch take() {
    return ready.getAndSet(null);
  }

  /** On the engine's context: a run starts with a prefetched batch. */
  void used() {
    used++;
  }

  /** How many runs started with a prefetched batch. */
  long runsPrefetched() {
    return used;
  }

  private static boolean hasLocal(List<Change> changes) {
    for (Change c : changes) {
      if (c.source() == ChangeSource.LOCAL) {
        return true;
      }
    }
    return false;
  }
}

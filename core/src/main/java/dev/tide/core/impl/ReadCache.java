package dev.tide.core.impl;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tide.core.Change;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recently read documents and those written by small commits, so that {@code get} needs no trip to
 * the reader thread. Entries hold the document's JSON text (null: deleted); callers get fresh objects.
 * <p>
 * Never stale: the writer updates entries on its own thread right after each COMMIT, before the
 * futures of that commit complete; a reader adds an entry only if no commit happened while it read
 * (otherwise the value it read may already be older than the writer's update).
 */
final class ReadCache {

  /** What the cache knows of a document: its JSON text, or null if it is deleted. */
  record Entry(String json) {
  }

  /** Commits with more changes than this only refresh entries the cache already holds. */
  static final int MAX_ADDED_PER_COMMIT = 64;

  private final Cache<String, Entry> cache;
  private final AtomicLong commits = new AtomicLong();
  private volatile boolean disabled;

  ReadCache(int size) {
    this.cache = size <= 0 ? null : Caffeine.newBuilder().maximumSize(size).executor(Runnable::run).build();
  }

  private static String key(String collection, String id) {
    return collection + '\0' + id; // collection names cannot contain NUL
  }

  /** The entry, or null if the cache does not know the document. */
  Entry get(String collection, String id) {
    return cache == null || disabled ? null : cache.getIfPresent(key(collection, id));
  }

  /** Taken before a read from the store; pass it to {@link #fill}. */
  long mark() {
    return commits.get();
  }

  /** Adds what the reader read, unless a commit happened since {@code mark} (it may be newer). */
  void fill(String collection, String id, String json, long mark) {
    if (cache != null && !disabled && commits.get() == mark) {
      // checked again under the key's lock: a commit between the check above and the insert would
      // otherwise find no entry to refresh (large commits only refresh) and leave the older value here
      cache.asMap().compute(key(collection, id), (k, cached) -> cached != null || commits.get() != mark ? cached : new Entry(json));
    }
  }

  /**
   * On the writer thread, right after a COMMIT and before its futures complete. Documents of a small
   * commit are added; those of a large one (a batch, a pulled page) only replace entries already
   * there: adding thousands of entries, each evicting another, cost a fifth of the writer's time in
   * batches of 500, for documents that are seldom all read back.
   */
  void committed(List<Change> changes) {
    if (cache == null) {
      return;
    }
    commits.incrementAndGet();
    boolean add = changes.size() <= MAX_ADDED_PER_COMMIT;
    try {
      for (Change c : changes) {
        String key = key(c.collection(), c.id());
        Entry entry = new Entry(c.docJson());
        if (add) {
          cache.put(key, entry);
        } else {
          cache.asMap().replace(key, entry);
        }
      }
    } catch (Throwable e) { // an entry may now be older than the commit: serve nothing from memory again
      disabled = true;
      try {
        cache.invalidateAll();
      } catch (Throwable ignored) {
        // disabled already: the entries are never read again
      }
    }
  }
}

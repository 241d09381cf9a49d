package dev.tide.server.impl;

import dev.tide.core.SyncProtocol;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.StoredChange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the writer's transaction in progress wrote, to report the commit as {@link CommittedChanges}.
 * A document written twice keeps only its newest state, as the store does. Bounded: a transaction
 * that writes more than any page can hold (in changes or bytes), or purges, is reported without its
 * changes, so a large push is not kept in memory until the next commit.
 */
final class CommitLog {

  /** More than the largest page: such a commit could never answer a pull from memory anyway. */
  static final int MAX_CHANGES = 2 * SyncProtocol.MAX_LIMIT;
  /** As much as the largest response (estimated as pages are: {@link PageReader#estimatedBytes}). */
  static final long MAX_BYTES = SyncProtocol.MAX_RESPONSE_BYTES;

  private record Key(String ns, String collection, String id) {
  }

  private final LinkedHashMap<Key, StoredChange> written = new LinkedHashMap<>();
  private long fromSeq;
  private long bytes;
  private boolean complete;

  /** A transaction starts at {@code seq}. */
  void begin(long seq) {
    fromSeq = seq;
    written.clear();
    bytes = 0;
    complete = true;
  }

  /** A change written at its sequence (sequences only grow within a transaction). */
  void written(String ns, StoredChange change) {
    if (!complete) {
      return;
    }
    Key key = new Key(ns, change.collection(), change.id());
    written.remove(key); // an older state of the same document in this transaction is gone
    written.put(key, change);
    bytes += PageReader.estimatedBytes(change.body());
    if (written.size() > MAX_CHANGES || bytes > MAX_BYTES) {
      incomplete();
    }
  }

  /** The transaction did something the log does not follow (a purge): report no changes. */
  void incomplete() {
    complete = false;
    written.clear();
  }

  /** The commit reached {@code toSeq}; the log is emptied. */
  CommittedChanges committed(long toSeq) {
    Map<String, List<StoredChange>> byNamespace = null;
    if (complete) {
      byNamespace = new HashMap<>();
      for (Map.Entry<Key, StoredChange> e : written.entrySet()) {
        byNamespace.computeIfAbsent(e.getKey().ns(), k -> new ArrayList<>()).add(e.getValue());
      }
    }
    written.clear();
    return new CommittedChanges(fromSeq, toSeq, byNamespace);
  }
}

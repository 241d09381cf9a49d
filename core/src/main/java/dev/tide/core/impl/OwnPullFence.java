package dev.tide.core.impl;

import dev.tide.core.Stamp;

import java.sql.SQLException;

/**
 * Finds the writes this store lost after the server had them: the last commits before a power loss
 * (synchronous=NORMAL) or everything after a restored backup. The server has those writes, but pulls
 * skip a client's own writes, and the clock went back with them, so writes made since reuse their
 * counters and would lose to them.
 *
 * <p>Each open records the clock as a fence (kept until cleared, so a store opened several times
 * offline keeps the first). Until a pull with {@code include_own} has run from the stored cursor to
 * the end, nothing is pushed; that pull brings back every own write the store lost (they are after its
 * cursor, which went back with them) and raises the clock past them. A pending write above the fence
 * was made since the open, so after any lost write: where a lost write beats it, it keeps its state
 * and is stamped again above it. A pending write at or below the fence came before the loss and loses
 * to a later lost write as usual. A store that lost nothing gets no own write back (its cursor is past
 * them; after a lost answer to its last push, they come back with the stamps it holds), so the pull
 * usually costs one exchange. The server never stores a client's write under a stamp of its own (it
 * answers {@code restamp} instead), so every synced write comes back as this store's own.
 */
final class OwnPullFence {

  static final String KEY = "own_pull_fence";

  private long fence;
  private long committed;

  /** Reads the fence, or sets it to {@code clock} (the open's transaction persists it). */
  OwnPullFence(MetaTable meta, long clock) throws SQLException {
    String stored = meta.get(KEY);
    if (stored == null) {
      meta.put(KEY, Long.toString(clock));
      fence = clock;
    } else {
      fence = Long.parseLong(stored);
    }
    committed = fence;
  }

  /** True until the pull of own writes after the last open completed. */
  boolean active() {
    return fence >= 0;
  }

  /**
   * True if {@code change}, a write of this store pulled back, is at least as high as the pending local
   * write {@code local} made since the open: the local write must be stamped again above it.
   */
  boolean restamps(Stamp change, Stamp local, String nodeId) {
    return fence >= 0 && local.counter() > fence && nodeId.equals(change.node()) && !local.beats(change);
  }

  /** True while the pull runs, for a counter a write made since the open may have (a lost write may have had it too). */
  boolean madeSinceOpen(long counter) {
    return fence >= 0 && counter > fence;
  }

  /** The pull of own writes completed (in the current transaction). */
  void finish(MetaTable meta) throws SQLException {
    if (fence >= 0) {
      meta.delete(KEY);
      fence = -1;
    }
  }

  void committed() {
    committed = fence;
  }

  void rolledBack() {
    fence = committed;
  }
}

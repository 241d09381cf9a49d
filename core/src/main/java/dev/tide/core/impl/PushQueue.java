package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.SyncProtocol;
import dev.tide.core.spi.PushedChanges;

import java.util.ArrayDeque;

/**
 * Pages the server pushed while an earlier one was being applied, to apply next, in order. Bounded by
 * about one exchange's page: a client that applies more slowly than the server commits would otherwise
 * hold an ever longer backlog (the server's write-queue backpressure never sees it, as the client keeps
 * reading). Confined to the store's context, like the engine.
 */
final class PushQueue {

  private final ArrayDeque<PushedChanges> pushes = new ArrayDeque<>();
  private int changes;
  private long bytes; // estimated
  private volatile int mostChanges; // monitoring, tests: the most changes held at once

  /**
   * Queues {@code push} if it fits with what is queued (the first one always does): at most
   * {@code maxChanges} changes and about {@link SyncProtocol#MAX_RESPONSE_BYTES}. False if it does not:
   * the caller then drops the queue and lets an exchange bring the same changes.
   */
  boolean offer(PushedChanges push, int maxChanges) {
    long size = estimatedBytes(push);
    if (!pushes.isEmpty() && (changes + push.changes().size() > maxChanges || bytes + size > SyncProtocol.MAX_RESPONSE_BYTES)) {
      return false;
    }
    pushes.add(push);
    changes += push.changes().size();
    bytes += size;
    mostChanges = Math.max(mostChanges, changes);
    return true;
  }

  boolean isEmpty() {
    return pushes.isEmpty();
  }

  PushedChanges poll() {
    PushedChanges push = pushes.poll();
    if (push != null) {
      changes -= push.changes().size();
      bytes -= estimatedBytes(push);
    }
    return push;
  }

  void clear() {
    pushes.clear();
    changes = 0;
    bytes = 0;
  }

  /** The most changes held at once. */
  int mostChanges() {
    return mostChanges;
  }

  /** What a pushed page holds in memory, roughly: its documents' text and about 100 bytes a change. */
  private static long estimatedBytes(PushedChanges push) {
    long size = 0;
    for (Change c : push.changes()) {
      size += 100 + (c.docJson() == null ? 0 : c.docJson().length());
    }
    return size;
  }
}

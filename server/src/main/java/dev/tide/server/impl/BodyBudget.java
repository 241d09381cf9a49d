package dev.tide.server.impl;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of request bytes held in memory at once ({@code maxBufferedBodyBytes}), shared by
 * HTTP bodies and WebSocket messages: a request that would take it past the limit is refused (429).
 */
final class BodyBudget {

  private final long max;
  private final AtomicLong used = new AtomicLong();

  BodyBudget(long max) {
    this.max = max;
  }

  /** Takes {@code bytes} from the budget, or returns false (and takes nothing) if that would exceed it. */
  boolean reserve(long bytes) {
    if (used.addAndGet(bytes) > max && bytes > 0) {
      used.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** The whole budget: a request larger than this could never be taken, so it is too large, not early. */
  long max() {
    return max;
  }

  /** Bytes held now (tests, monitoring). */
  long used() {
    return used.get();
  }
}

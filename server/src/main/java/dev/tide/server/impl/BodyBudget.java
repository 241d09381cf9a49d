package dev.tide.server.impl;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The server-wide budget of request bytes held in memory at once ({@code maxBufferedBodyBytes}), shared by
 * HTTP bodies and WebSocket messages: a request that would take it past the limit is refused (429).
 * Bytes are taken as they arrive, and a request must arrive whole within {@link #receiveTimeoutMillis()}
 * ({@code bodyTimeoutSeconds}): a client cannot hold the budget by announcing or trickling a large body.
 */
final class BodyBudget {

  private final long max;
  private final long receiveTimeoutMillis;
  private final AtomicLong used = new AtomicLong();

  BodyBudget(long max, long receiveTimeoutMillis) {
    this.max = max;
    this.receiveTimeoutMillis = receiveTimeoutMillis;
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

  /** How long one request (HTTP body or WebSocket message) may take to arrive while it holds bytes. */
  long receiveTimeoutMillis() {
    return receiveTimeoutMillis;
  }

  /** Bytes not held now: a request announcing more would be refused before it is read (a hint: nothing is taken). */
  long available() {
    return max - used.get();
  }

  /** Bytes held now (tests, monitoring). */
  long used() {
    return used.get();
  }
}

package dev.tide.core.impl;

import dev.tide.core.StoreException;
import dev.tide.core.SyncException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * How much one exchange carries: halved after an exchange is lost on the way (it timed out, or the
 * connection dropped mid-way), ops alone after a push the server refused as too slow to arrive (408).
 * On a slow link a push or a page too large to get through before the connection gives up would
 * otherwise be sent again, identical, for ever. Confined to the sync engine's context.
 * <p>
 * Growing back is careful, because each size that is too large costs a whole timeout: a size grows
 * only after an exchange that carried it in full (a pull-only exchange proves nothing about pushes),
 * doubling up to the size last known to work, and above that only after {@link Window#PROBE_AFTER}
 * exchanges in a row carried it (twice as many after each probe that failed, up to
 * {@link Window#PROBE_AFTER_MAX}). A link that stays slow thus costs one timeout per many exchanges,
 * not every other one; a link that got faster is found again.
 */
final class ExchangeSize {

  private final Window ops;
  private final Window limit;

  ExchangeSize(int maxOps, int maxLimit) {
    this.ops = new Window(maxOps);
    this.limit = new Window(maxLimit);
  }

  /** Ops to push in the next exchange (at most). */
  int pushOps() {
    return ops.size;
  }

  /** Changes to ask for in the next exchange. */
  int pullLimit() {
    return limit.size;
  }

  /**
   * An exchange that carried {@code opsSent} ops failed with {@code error}: smaller ones next if it was
   * lost on the way. Not when the server answered (a refusal has its own rules), the store failed, or
   * nothing was sent (offline: no connection, no name resolution, no headers; the size is not at fault).
   */
  void failed(Throwable error, int opsSent) {
    if (error instanceof SyncException e && e.status() == 408) {
      // the server answered, but the request did not arrive whole within its body timeout: send less
      ops.lost(opsSent);
      return;
    }
    if (error instanceof SyncException || error instanceof StoreException || notSent(error)) {
      return;
    }
    ops.lost(opsSent);
    limit.lost(Integer.MAX_VALUE); // the response may be what did not get through
  }

  /**
   * A failure before any of the request left: marked so by tide's transports, or (another transport's) a
   * connection that could not be made, found in the causes.
   */
  private static boolean notSent(Throwable error) {
    if (error instanceof RequestNotSentException) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
        return true;
      }
    }
    return false;
  }

  /**
   * An exchange got through. {@code opsSent} and {@code changesPulled} are what it carried, or
   * {@link Integer#MAX_VALUE} when another limit (bytes, the server's page size) cut it: it then
   * carried all that the size could have.
   */
  void succeeded(int opsSent, int changesPulled) {
    ops.carried(opsSent);
    limit.carried(changesPulled);
  }

  /** One size, between 1 and its configured maximum. */
  static final class Window {

    static final int PROBE_AFTER = 8;
    static final int PROBE_AFTER_MAX = 64;

    private final int max;
    private final int firstProbeAfter;
    private int size;
    /** The size last known to work: grown to at once; above it only by probing. */
    private int known;
    private int carriedInARow;
    private int probeAfter;
    private boolean probing;

    Window(int max) {
      this(max, PROBE_AFTER);
    }

    /** @param probeAfter full exchanges in a row before a size above the last known to work is tried */
    Window(int max, int probeAfter) {
      this.max = Math.max(1, max);
      this.size = this.max;
      this.known = this.max;
      this.firstProbeAfter = probeAfter;
      this.probeAfter = probeAfter;
    }

    int size() {
      return size;
    }

    void lost(int sent) {
      if (sent <= 1) {
        return; // one item cannot be split: the retry waits out the backoff
      }
      if (probing) {
        probeAfter = Math.min(PROBE_AFTER_MAX, probeAfter * 2);
        probing = false;
      }
      size = Math.max(1, Math.min(size, sent) / 2);
      known = size;
      carriedInARow = 0;
    }

    void carried(int sent) {
      if (sent < size) {
        return; // less than the size got through: that proves nothing about the size
      }
      if (probing) {
        probing = false; // the probe got through: the link carries more again
        probeAfter = firstProbeAfter;
        known = size;
      }
      if (size == max) {
        return;
      }
      if (size < known) {
        size = Math.min(known, size * 2);
      } else if (++carriedInARow >= probeAfter) {
        carriedInARow = 0;
        probing = true;
        size = (int) Math.min(max, size * 2L);
      }
    }
  }
}

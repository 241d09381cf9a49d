package dev.tide.core.impl;

import dev.tide.core.StoreException;
import dev.tide.core.SyncException;

import java.net.ConnectException;

/**
 * How much one exchange carries: halved after an exchange is lost on the way (it timed out, or the
 * connection dropped mid-way), ops alone after a push the server refused as too slow to arrive (408),
 * doubled back after each one that succeeds, up to the configured sizes.
 * On a slow link a push or a page too large to get through before the connection gives up would
 * otherwise be sent again, identical, for ever. Confined to the sync engine's context.
 */
final class ExchangeSize {

  private final int maxOps;
  private final int maxLimit;
  private int ops;
  private int limit;

  ExchangeSize(int maxOps, int maxLimit) {
    this.maxOps = Math.max(1, maxOps);
    this.maxLimit = Math.max(1, maxLimit);
    this.ops = this.maxOps;
    this.limit = this.maxLimit;
  }

  /** Ops to push in the next exchange (at most). */
  int pushOps() {
    return ops;
  }

  /** Changes to ask for in the next exchange. */
  int pullLimit() {
    return limit;
  }

  /**
   * An exchange that carried {@code opsSent} ops failed with {@code error}: smaller ones next if it was
   * lost on the way. Not when the server answered (a refusal has its own rules), the store failed, or
   * nothing could be sent (no connection: the size is not at fault).
   */
  void failed(Throwable error, int opsSent) {
    if (error instanceof SyncException e && e.status() == 408) {
      // the server answered, but the request did not arrive whole within its body timeout: send less
      if (opsSent > 1) {
        ops = Math.max(1, Math.min(ops, opsSent) / 2);
      }
      return;
    }
    if (error instanceof SyncException || error instanceof StoreException || error instanceof ConnectException) {
      return;
    }
    if (opsSent > 1) {
      ops = Math.max(1, Math.min(ops, opsSent) / 2);
    }
    limit = Math.max(1, limit / 2);
  }

  /** An exchange got through: grow back towards the configured sizes. */
  void succeeded() {
    ops = (int) Math.min(maxOps, ops * 2L);
    limit = (int) Math.min(maxLimit, limit * 2L);
  }
}

package dev.tide.core.impl;

import dev.tide.core.SyncOptions;

import java.util.concurrent.ThreadLocalRandom;

/** Retry delays: exponential from {@code backoffInitialMs}, capped at {@code backoffMaxMs}, with jitter. */
public final class Backoff {

  private Backoff() {
  }

  /**
   * The delay before retry number {@code failures} (1 for the first): jitter in [50%, 100%] of the
   * capped delay, so that clients failing together do not all come back together.
   */
  public static long delayMs(SyncOptions options, int failures) {
    double exp = options.getBackoffInitialMs() * Math.pow(2, Math.min(30, Math.max(0, failures - 1)));
    long capped = (long) Math.min(options.getBackoffMaxMs(), exp);
    return Math.max(1, (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5)));
  }
}

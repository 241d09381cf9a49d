package dev.tide.server.impl;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What a client's socket last did, and so what the endpoint's periodic check does with it. Times are read
 * from a monotonic clock: the wall clock gets stepped (NTP correcting a machine that booted with a wrong
 * date), and a step back of an hour would keep dead sockets for an hour, a step forward cut live ones.
 * Written on the connection's context, read by the check on the endpoint's.
 */
final class WsLiveness {

  /** What the periodic check does with a connection. */
  enum Verdict { FINE, PING, SILENT, TOO_SLOW }

  private final LongSupplier nanos; // System::nanoTime, or a test's clock
  private volatile long lastHeard; // the last frame received, any kind
  private volatile long lastPing;
  private volatile long lastProgress; // the last frame of ours handed to the OS
  private volatile long fullSince; // since when the write queue is full, while it is
  private volatile boolean full;

  WsLiveness(LongSupplier nanos) {
    this.nanos = nanos;
    long now = nanos.getAsLong();
    lastHeard = now;
    lastPing = now;
    lastProgress = now;
  }

  void heard() {
    lastHeard = nanos.getAsLong();
  }

  void progressed() {
    lastProgress = nanos.getAsLong();
  }

  /** The write queue is full: since now, unless it already was. */
  void queueFull() {
    if (!full) {
      fullSince = nanos.getAsLong();
      full = true;
    }
  }

  void drained() {
    full = false;
  }

  boolean backedUp() {
    return full;
  }

  /** Silent for {@code idleMs}: cut; backed up with nothing taken for {@code slowMs}: cut; else a ping every third of idleMs. */
  Verdict check(long idleMs, long slowMs) {
    long now = nanos.getAsLong();
    // frames of ours being taken count as life too: while its write queue is full the connection stops
    // reading (pings included), and a slow client still reading a large push must not look silent
    if (msSince(now, lastHeard, lastProgress) > idleMs) {
      return Verdict.SILENT;
    }
    if (full && msSince(now, fullSince, lastProgress) > slowMs) {
      return Verdict.TOO_SLOW; // a slow client still reading a large page is not cut
    }
    if (TimeUnit.NANOSECONDS.toMillis(now - lastPing) > idleMs / 3) {
      lastPing = now;
      return Verdict.PING;
    }
    return Verdict.FINE;
  }

  /** Since the later of two readings; differences only, as nanoTime's origin is arbitrary (values may be negative). */
  private static long msSince(long now, long one, long other) {
    return TimeUnit.NANOSECONDS.toMillis(Math.min(now - one, now - other));
  }
}

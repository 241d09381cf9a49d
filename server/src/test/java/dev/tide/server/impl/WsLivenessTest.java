package dev.tide.server.impl;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tide.server.impl.WsLiveness.Verdict.FINE;
import static dev.tide.server.impl.WsLiveness.Verdict.PING;
import static dev.tide.server.impl.WsLiveness.Verdict.SILENT;
import static dev.tide.server.impl.WsLiveness.Verdict.TOO_SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's periodic check of a socket measures time on a monotonic clock, here a fake the test moves
 * while the wall clock stands still (the test takes a few ms). That is what the check sees when the wall
 * clock is stepped back meanwhile by as much as the fake moved (NTP correcting a machine that booted with
 * a date ahead): on the wall clock no time would have passed, and a dead or stuck client would keep its
 * socket, unpinged, for as long as the step.
 */
class WsLivenessTest {

  static final long IDLE_MS = 45_000;
  static final long SLOW_MS = 30_000;

  final AtomicLong nanos = new AtomicLong(-TimeUnit.HOURS.toNanos(5)); // nanoTime's origin is arbitrary: it may be negative
  final WsLiveness liveness = new WsLiveness(nanos::get);

  void pass(long ms) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void aSilentSocketIsPingedThenCutThoughTheWallClockWentBack() {
    pass(15_000);
    assertEquals(FINE, liveness.check(IDLE_MS, SLOW_MS), "pinged every third of the idle timeout, not sooner");
    pass(1);
    assertEquals(PING, liveness.check(IDLE_MS, SLOW_MS));
    assertEquals(FINE, liveness.check(IDLE_MS, SLOW_MS), "one ping per third");
    pass(30_000);
    assertEquals(SILENT, liveness.check(IDLE_MS, SLOW_MS), "nothing heard for 45,001 ms");
  }

  @Test
  void aBackedUpClientIsCutThoughTheWallClockWentBack() {
    liveness.queueFull();
    assertTrue(liveness.backedUp());
    pass(20_000);
    liveness.progressed(); // it took a frame of ours
    pass(20_000);
    liveness.heard();
    assertEquals(PING, liveness.check(IDLE_MS, SLOW_MS), "taking frames: not too slow yet");
    pass(10_001);
    liveness.heard();
    assertEquals(TOO_SLOW, liveness.check(IDLE_MS, SLOW_MS), "none of its frames taken for 30,001 ms while backed up");
    liveness.drained();
    assertFalse(liveness.backedUp());
    assertEquals(FINE, liveness.check(IDLE_MS, SLOW_MS));
  }
}

package dev.tide.transport.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's heartbeat, request timer and protocol backoff measure time on a monotonic clock, here a
 * fake the test moves while the wall clock stands still (the test takes a few ms). That is what they see
 * when the wall clock is stepped back meanwhile by as much as the fake moved (NTP correcting a device that
 * booted with a date ahead): on the wall clock no time would have passed, and a dead peer would go
 * unnoticed, a backoff never end, for as long as the step.
 */
class WallClockStepTest {

  final AtomicLong nanos = new AtomicLong(-TimeUnit.HOURS.toNanos(5)); // nanoTime's origin is arbitrary: it may be negative

  void pass(long ms) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void silenceIsMeasuredThoughTheWallClockWentBack() {
    Liveness liveness = new Liveness(nanos::get);
    liveness.reset(); // connected
    liveness.received(WebSocketFrame.textFrame("{\"type\":\"hello\"}", true));
    pass(20_000);
    liveness.pong();
    pass(40_000);
    assertEquals(40_000, liveness.msSinceActive(), "for the heartbeat: silent since the pong");
    assertEquals(60_000, liveness.msSinceData(), "for the request timer: a pong is no answer");
    liveness.progressed(); // a frame of ours taken
    pass(5);
    assertEquals(5, liveness.msSinceActive());
    assertEquals(5, liveness.msSinceData());
  }

  @Test
  void theBackoffAfterAProtocolErrorEndsThoughTheWallClockWentBack() {
    ProtocolBackoff backoff = new ProtocolBackoff(new SyncOptions().setBackoffInitialMs(60_000).setBackoffMaxMs(60_000), nanos::get);
    assertEquals(0, backoff.remainingMs(), "no protocol error yet");
    backoff.failed(SyncException.protocolError("bad frame"));
    long delay = backoff.remainingMs();
    assertTrue(delay >= 30_000 && delay <= 60_000, delay + " ms"); // the first step, with jitter
    pass(delay - 1);
    assertEquals(1, backoff.remainingMs());
    pass(1);
    assertEquals(0, backoff.remainingMs(), "a new connection may be opened");
  }
}

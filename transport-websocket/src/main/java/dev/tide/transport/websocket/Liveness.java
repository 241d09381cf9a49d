package dev.tide.transport.websocket;

import io.vertx.core.http.WebSocketFrame;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What a socket last did, for two different questions. Is the peer alive (heartbeat)? Any frame
 * received counts, pongs too, and frames of ours taken by the network. Is an answer coming (request
 * timer)? Only data: a data frame received, or one of ours taken; a server that never answers keeps
 * answering pings. On a slow link a large message takes long, and each frame of it is progress.
 * Times are read from a monotonic clock: the wall clock gets stepped (NTP correcting a device that
 * booted with a wrong date), and a step back of an hour would hide a dead peer for an hour, a step
 * forward cut a live one. Confined to the transport's context.
 */
final class Liveness {

  private final LongSupplier nanos; // System::nanoTime, or a test's clock
  private long lastHeard; // the last frame received, any kind
  private long lastDataHeard; // the last data frame received (text, continuation)
  private long lastProgress; // the last frame of ours handed to the OS

  Liveness(LongSupplier nanos) {
    this.nanos = nanos;
    lastDataHeard = nanos.getAsLong(); // no data yet: older than any reset or progress
    reset();
  }

  /** A new socket, or a new request: counts as activity now. */
  void reset() {
    long now = nanos.getAsLong();
    lastHeard = now;
    lastProgress = now;
  }

  void received(WebSocketFrame frame) {
    lastHeard = nanos.getAsLong();
    if (frame.isText() || frame.isContinuation() || frame.isBinary()) {
      lastDataHeard = lastHeard;
    }
  }

  void pong() {
    lastHeard = nanos.getAsLong();
  }

  /** One of our frames was handed to the OS: the peer is taking bytes. */
  void progressed() {
    lastProgress = nanos.getAsLong();
  }

  /** Milliseconds since the last sign of life either way, control frames included (for the heartbeat). */
  long msSinceActive() {
    return msSince(lastHeard, lastProgress);
  }

  /** Milliseconds since data last moved either way (for the request timer). */
  long msSinceData() {
    return msSince(lastDataHeard, lastProgress);
  }

  /** Since the later of two readings; differences only, as nanoTime's origin is arbitrary (values may be negative). */
  private long msSince(long one, long other) {
    long now = nanos.getAsLong();
    return TimeUnit.NANOSECONDS.toMillis(Math.min(now - one, now - other));
  }
}

package dev.tide.transport.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.impl.Backoff;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long to wait before a new connection after the server broke the protocol: it accepts connections,
 * so only this keeps retries apart, backing off while frames keep breaking it. The deadline is on a
 * monotonic clock: on the wall clock, a step back of an hour would refuse every exchange for an hour.
 * Confined to the transport's context.
 */
final class ProtocolBackoff {

  private final SyncOptions options;
  private final LongSupplier nanos; // System::nanoTime, or a test's clock
  private int failures; // frames that broke the protocol since the last good result
  private SyncException failure; // the last one (null: none yet)
  private long retryAt; // no new connection before this

  ProtocolBackoff(SyncOptions options, LongSupplier nanos) {
    this.options = options;
    this.nanos = nanos;
  }

  void failed(SyncException e) {
    failure = e;
    retryAt = nanos.getAsLong() + TimeUnit.MILLISECONDS.toNanos(Backoff.delayMs(options, ++failures));
  }

  /** A good result: the next protocol error backs off from the first step again. */
  void succeeded() {
    failures = 0;
  }

  /** Milliseconds before a new connection may be opened; 0 if it may be now. */
  long remainingMs() {
    return failure == null ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(retryAt - nanos.getAsLong()));
  }

  /** Why connections are refused for now (see {@link #remainingMs()}). */
  SyncException failure() {
    return failure;
  }
}

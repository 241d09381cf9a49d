package dev.tide.core.impl;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.util.concurrent.Callable;

/**
 * Decodes messages off the event loop when they are large. Reading a 16 MB sync request takes about
 * 15 ms: on the event loop, every other connection and verticle on it would wait that long. Small
 * messages (most of them) are decoded inline, where a hand-off to a worker would cost more than the
 * decoding.
 * <p>
 * An instance keeps the messages of one connection in order: each result is handed on after the
 * results of every message submitted before it, whether decoded inline or on a worker. An instance is
 * confined to one context (the connection's).
 */
public final class OffLoopDecoder {

  /** Messages below this many bytes (or chars) are decoded inline: about 0.2 ms of parsing. */
  public static final int INLINE_BYTES = 256 * 1024;

  private final Vertx vertx;
  private Future<Void> tail = Future.succeededFuture();

  public OffLoopDecoder(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Decodes one message of {@code size} bytes: inline when small, else on a worker thread (unordered). */
  public static <T> Future<T> decode(Vertx vertx, long size, Callable<T> decoder) {
    return size < INLINE_BYTES ? now(decoder) : vertx.executeBlocking(decoder, false);
  }

  /**
   * Decodes one message and hands its result to {@code then} on the caller's context, after the results
   * of every message submitted before it. With nothing in progress, a small message is handled at once.
   */
  public <T> void submit(long size, Callable<T> decoder, Handler<AsyncResult<T>> then) {
    if (tail.isComplete() && size < INLINE_BYTES) {
      then.handle(now(decoder));
      return;
    }
    Future<T> decoded = tail.transform(previous -> decode(vertx, size, decoder));
    tail = decoded.transform(ar -> {
      then.handle(ar);
      return Future.succeededFuture();
    });
  }

  private static <T> Future<T> now(Callable<T> decoder) {
    try {
      return Future.succeededFuture(decoder.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }
}

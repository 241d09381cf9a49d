package dev.tide.core.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;

import java.util.Map;

/**
 * Bounds the wait for an app's {@link dev.tide.core.HeadersProvider}: fetching headers is part of an
 * exchange (or a connection), which fails after {@code requestTimeoutMs} without progress. A provider
 * whose future never completes (a token endpoint that hangs) would otherwise hold the sync in flight
 * for ever: no sync would run again, and closing the store would wait for it.
 */
public final class HeaderDeadline {

  private HeaderDeadline() {
  }

  public static Future<Map<String, String>> bound(Vertx vertx, Future<Map<String, String>> supplied, long timeoutMs) {
    if (supplied.isComplete()) {
      return supplied;
    }
    Promise<Map<String, String>> bounded = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> bounded.tryFail(
      new VertxException("the headers provider did not answer within " + timeoutMs + " ms", true)));
    supplied.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }
}

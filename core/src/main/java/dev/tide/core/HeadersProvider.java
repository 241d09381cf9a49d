package dev.tide.core;

import io.vertx.core.Future;

import java.util.Map;

/**
 * Supplies request headers (e.g. a short-lived bearer token) for each exchange or connection. After a
 * 401, {@link #refreshed()} is called once before the request is retried. Neither may block.
 */
@FunctionalInterface
public interface HeadersProvider {

  /** Headers for the next exchange (a cached token is fine). */
  Future<Map<String, String>> headers();

  /** Headers after the server refused the previous ones: fetch a new token here. Defaults to {@link #headers()}. */
  default Future<Map<String, String>> refreshed() {
    return headers();
  }
}

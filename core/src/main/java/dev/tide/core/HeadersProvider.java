package dev.tide.core;

import io.vertx.core.Future;

import java.util.Map;

/**
 * Supplies request headers (e.g. a short-lived bearer token) for each exchange or connection. After a
 * 401 it is called once more, as a refresh, before the request is retried; it must not block.
 */
@FunctionalInterface
public interface HeadersProvider {

  Future<Map<String, String>> headers();
}

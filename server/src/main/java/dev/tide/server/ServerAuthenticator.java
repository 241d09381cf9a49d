package dev.tide.server;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;

/**
 * Decides who makes a request, from its headers, before anything is read or written. Completes with
 * a principal name, or fails: the request is then refused with {@code 401 unauthorized}.
 * It runs on the event loop: it must not block (call your identity provider asynchronously).
 */
@FunctionalInterface
public interface ServerAuthenticator {

  Future<String> authenticate(MultiMap headers);
}

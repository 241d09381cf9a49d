package dev.tide.core.impl;

import dev.tide.core.HeadersProvider;
import dev.tide.core.SyncOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.Objects;

/** How both transports build a sync request's headers from the options, the provider and the url. */
public final class RequestHeaders {

  private RequestHeaders() {
  }

  /**
   * An exchange's (or a connection's) headers: the static ones, the provider's over them ({@code refresh}: after
   * a 401), then the url's user info. The provider is awaited at most {@code requestTimeoutMs}; a provider that
   * throws or returns no future fails like one whose future failed (thrown, it escaped the exchange).
   */
  public static Future<MultiMap> resolve(Vertx vertx, SyncOptions options, boolean refresh, String basicAuthorization) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(options.getHeaders());
    HeadersProvider provider = options.getHeadersProvider();
    if (provider == null) {
      return Future.succeededFuture(withUserInfo(headers, basicAuthorization));
    }
    Future<Map<String, String>> supplied;
    try {
      supplied = refresh ? provider.refreshed() : provider.headers();
      if (supplied == null) {
        supplied = Future.failedFuture(new IllegalStateException("the headers provider returned no future"));
      }
    } catch (RuntimeException e) {
      supplied = Future.failedFuture(e);
    }
    return HeaderDeadline.bound(vertx, supplied, options.getRequestTimeoutMs())
      .map(h -> withUserInfo(replacing(headers, h), basicAuthorization));
  }

  /**
   * The provider's headers replace static ones of the same name (in any case): a server reads the first of two.
   * One HTTP cannot carry fails the exchange here, named: Vert.x refused it later, as an unreachable server, or
   * (an empty name over WebSocket) failed the connection and never the upgrade, and the sync waited for good.
   */
  public static MultiMap replacing(MultiMap headers, Map<String, String> supplied) {
    supplied.forEach((name, value) -> headers.set(checked(name, Objects.requireNonNull(value, name), "supplied header "), value));
    return headers;
  }

  /**
   * The name, if a header of this name and value can be sent: the name an RFC 9110 token, the value free of
   * control characters but tab; else an IllegalArgumentException naming it ({@code what}: where it came from).
   */
  public static String checked(String name, String value, String what) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException(what + "\"\": a header name must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c > 126 || (!Character.isLetterOrDigit(c) && "!#$%&'*+-.^_`|~".indexOf(c) < 0)) {
        throw new IllegalArgumentException(what + name + ": a header name is letters, digits and !#$%&'*+-.^_`|~ only");
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 32 && c != '\t') || c == 127 || c > 255) {
        throw new IllegalArgumentException(what + name + ": a header value holds no control characters but tab, and no char above U+00FF");
      }
    }
    return name;
  }

  /** The url's user info as Basic credentials (null: none), unless a header sets Authorization. */
  public static MultiMap withUserInfo(MultiMap headers, String basicAuthorization) {
    if (basicAuthorization != null && !headers.contains("Authorization")) {
      headers.add("Authorization", basicAuthorization);
    }
    return headers;
  }
}

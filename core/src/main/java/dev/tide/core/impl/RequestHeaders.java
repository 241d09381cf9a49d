package dev.tide.core.impl;

import io.vertx.core.MultiMap;

import java.util.Map;
import java.util.Objects;

/** How both transports build a sync request's headers from the options, the provider and the url. */
public final class RequestHeaders {

  private RequestHeaders() {
  }

  /** The provider's headers replace static ones of the same name (in any case): a server reads the first of two. */
  public static MultiMap replacing(MultiMap headers, Map<String, String> supplied) {
    supplied.forEach((name, value) -> headers.set(name, Objects.requireNonNull(value, name))); // a null still fails the exchange
    return headers;
  }

  /** The url's user info as Basic credentials (null: none), unless a header sets Authorization. */
  public static MultiMap withUserInfo(MultiMap headers, String basicAuthorization) {
    if (basicAuthorization != null && !headers.contains("Authorization")) {
      headers.add("Authorization", basicAuthorization);
    }
    return headers;
  }
}

package dev.tide.core.impl;

import io.vertx.core.MultiMap;

import java.util.Map;
import java.util.Objects;

/** How both transports build a sync request's headers from the options, the provider and the url. */
public final class RequestHeaders {

  private RequestHeaders() {
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

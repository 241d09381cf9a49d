package dev.tide.core.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one rule that turns {@link dev.tide.core.SyncOptions#getUrl()} into each transport's endpoint, so
 * that every accepted URL works on both: schemes are case-insensitive, {@code http(s)} and {@code ws(s)}
 * are both accepted, and user info, port and query are kept as given. User info is sent as
 * {@code Authorization: Basic} ({@link #basicAuthorization}): neither HTTP client sends it by itself.
 * <ul>
 *   <li>HTTP: scheme {@code http(s)}, path without a trailing {@code /ws} (or {@code ws} of {@code /ws/}): {@code ws://h/sync/ws?k=1} →
 *   {@code http://h/sync?k=1};</li>
 *   <li>WebSocket: scheme {@code ws(s)}, {@code /ws} appended to the path unless it ends with it (or {@code /ws/}):
 *   {@code http://h/sync?k=1} → {@code ws://h/sync/ws?k=1}.</li>
 * </ul>
 */
public final class SyncUrls {

  private SyncUrls() {
  }

  /**
   * The URL, parsed.
   *
   * @throws IllegalArgumentException naming {@code url}, unless an absolute http(s) or ws(s) URL with a host and
   * no fragment
   */
  public static URI check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("url is not a URL: " + url, e);
    }
    if (secure(uri) == null || uri.getHost() == null) {
      throw new IllegalArgumentException("url must be an http(s) or ws(s) URL with a host, got " + url);
    }
    if (uri.getRawFragment() != null) { // never sent to a server: whatever it was meant to carry would be lost silently
      throw new IllegalArgumentException("url must have no fragment (#...), got " + url);
    }
    return uri;
  }

  /** The endpoint for {@code POST} (PROTOCOL.md section 3). */
  public static String http(String url) {
    URI uri = check(url);
    String path = uri.getRawPath();
    if (path.endsWith("/ws")) {
      path = path.substring(0, path.length() - 3);
    } else if (path.endsWith("/ws/")) { // the WebSocket endpoint with a trailing slash: /sync/ws/ -> /sync/
      path = path.substring(0, path.length() - 3);
    }
    return build(uri, secure(uri) ? "https" : "http", path.isEmpty() ? "/" : path);
  }

  /** The endpoint for the WebSocket upgrade (PROTOCOL.md section 6). */
  public static String webSocket(String url) {
    URI uri = check(url);
    String path = uri.getRawPath();
    if (!path.endsWith("/ws") && !path.endsWith("/ws/")) { // the server takes /sync/ws/ as /sync/ws
      path += path.endsWith("/") ? "ws" : "/ws";
    }
    return build(uri, secure(uri) ? "wss" : "ws", path);
  }

  /**
   * The url's user info ({@code user:password}, percent-escapes decoded) as an {@code Authorization}
   * header value {@code Basic base64(user:password)}, or null when it has none. Transports send it
   * unless a header sets {@code Authorization}: Vert.x's clients drop user info from the request.
   */
  public static String basicAuthorization(String url) {
    String info = check(url).getUserInfo();
    if (info == null) {
      return null;
    }
    String credentials = info.indexOf(':') < 0 ? info + ":" : info; // RFC 7617: user-id ":" password
    return "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** True for https/wss, false for http/ws, null for any other scheme (or none). */
  private static Boolean secure(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "https", "wss" -> true;
      case "http", "ws" -> false;
      default -> null;
    };
  }

  /** From the raw parts: percent-escapes in the path and query stay exactly as the user wrote them. */
  private static String build(URI uri, String scheme, String path) {
    return scheme + "://" + uri.getRawAuthority() + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }
}

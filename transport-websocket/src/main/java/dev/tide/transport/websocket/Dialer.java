package dev.tide.transport.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.impl.RequestHeaders;
import dev.tide.core.spi.SyncUrls;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Opens WebSocket connections to the sync server: the configured headers and the provider's are sent
 * with the upgrade, and the provider's credentials are refreshed once if the upgrade gets a 401.
 */
final class Dialer {

  private final Vertx vertx;
  private final SyncOptions options;
  private final String uri;
  private final String basicAuthorization; // the url's user info, or null
  private final WebSocketClient client; // kept in a field: Vert.x 5 closes unreachable clients
  private final io.vertx.core.net.ClientSSLOptions ssl; // for a wss url

  Dialer(Vertx vertx, SyncOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.uri = SyncUrls.webSocket(options.getUrl()); // the same url as over HTTP
    this.basicAuthorization = SyncUrls.basicAuthorization(options.getUrl());
    this.ssl = dev.tide.core.impl.SslOptionsJson.forTransport(options.getSslOptions(), options.getRequestTimeoutMs());
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setClosingTimeout(2) // seconds to wait for the close reply of a peer that may be dead
      .setMaxFrameSize(64 * 1024)
      .setMaxMessageSize(WebSocketSyncTransport.MAX_MESSAGE_BYTES)
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getRequestTimeoutMs())));
  }

  /** A new connection (credentials refreshed once if the upgrade gets a 401); not yet greeted by the server. */
  Future<WebSocket> open() {
    return open(false).recover(e -> ServerFrames.unauthorized(e) && options.getHeadersProvider() != null ? open(true) : Future.failedFuture(e));
  }

  Future<Void> close() {
    return client.close();
  }

  private Future<WebSocket> open(boolean refresh) {
    return headers(refresh).compose(headers -> {
      WebSocketConnectOptions connect = new WebSocketConnectOptions().setAbsoluteURI(uri)
        .setSslOptions(ssl)
        .setTimeout(options.getRequestTimeoutMs());
      headers.forEach(e -> connect.addHeader(e.getKey(), e.getValue()));
      return client.connect(connect);
    });
  }

  private Future<MultiMap> headers(boolean refresh) {
    return RequestHeaders.resolve(vertx, options, refresh, basicAuthorization);
  }
}

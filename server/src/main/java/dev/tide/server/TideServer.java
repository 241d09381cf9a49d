package dev.tide.server;

import dev.tide.server.impl.TideServerImpl;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The tide sync endpoints ({@code POST /sync}, {@code GET /health}) over a {@link ServerStore}, as a
 * Vert.x Web {@link Router}. Run it with {@link TideServerVerticle}, or mount {@link #router()} on your
 * own router: {@code app.route("/tide/*").subRouter(server.router())}.
 */
public interface TideServer {

  /**
   * Opens the embedded SQLite store at {@link TideServerOptions#getDbPath()}, or the PostgreSQL database at
   * {@link TideServerOptions#getPostgresUrl()} when it is set. It is closed by
   * {@link #close()}, or with what opened it: the verticle that opened it is undeployed, or Vert.x closes.
   */
  static Future<TideServer> open(Vertx vertx, TideServerOptions options) {
    if (vertx == null || options == null) { // failed, not thrown, as the client's open
      return Future.failedFuture(nullArgument(vertx));
    }
    return TideServerImpl.open(vertx, new TideServerOptions(options));
  }

  /**
   * Opens the embedded SQLite store alone ({@link TideServerOptions#getDbPath()}, with its synchronous
   * setting), to wrap, e.g. in a {@link dev.tide.server.spi.ForwardingServerStore} that checks or observes
   * pushes, and serve with {@link #create}, whose {@link #close()} closes it.
   */
  static Future<ServerStore> openSqliteStore(Vertx vertx, TideServerOptions options) {
    if (vertx == null || options == null) {
      return Future.failedFuture(nullArgument(vertx));
    }
    return dev.tide.server.impl.SqliteServerStore.open(vertx, options.getDbPath(), options.getSynchronous());
  }

  /**
   * Opens the PostgreSQL store alone ({@link TideServerOptions#getPostgresUrl()}, which must be set), to wrap
   * and serve with {@link #create}, as {@link #openSqliteStore}.
   */
  static Future<ServerStore> openPostgresStore(Vertx vertx, TideServerOptions options) {
    if (vertx == null || options == null) {
      return Future.failedFuture(nullArgument(vertx));
    }
    if (options.getPostgresUrl() == null) {
      return Future.failedFuture(new IllegalArgumentException("postgresUrl is not set"));
    }
    return dev.tide.server.impl.PgServerStore.open(vertx, options.getPostgresUrl(),
        dev.tide.server.impl.PgServerStore.Settings.of(options.getPostgresPoolSize(), options.getPostgresTimeoutSeconds()));
  }

  private static IllegalArgumentException nullArgument(Vertx vertx) {
    return new IllegalArgumentException((vertx == null ? "vertx" : "options") + " must not be null");
  }

  /** Serves over a given store (e.g. another backend); closing the server closes the store. */
  static TideServer create(Vertx vertx, TideServerOptions options, ServerStore store) {
    return new TideServerImpl(vertx, new TideServerOptions(options), store);
  }

  /** The most header bytes a request may carry (Vert.x's default, 8 KiB, is too small for some bearer tokens). */
  int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * HTTP server options fit for these routes: host and port from {@code options}, WebSocket frame
   * (64 KiB) and message ({@code maxBodyBytes} + 64 KiB) limits large enough for a full sync message,
   * and request headers up to {@link #MAX_HEADER_BYTES} (large bearer tokens).
   * Use them (or the same limits) when you mount the router on your own server: Vert.x's defaults
   * (256 KiB messages, 8 KiB of headers) would cut large syncs and refuse large tokens with a bare 431.
   * With {@link TideServerOptions#getSslOptions()}, TLS too.
   */
  static io.vertx.core.http.HttpServerOptions httpServerOptions(TideServerOptions options) {
    io.vertx.core.http.HttpServerOptions http = new io.vertx.core.http.HttpServerOptions().setHost(options.getHost()).setPort(options.getPort())
      .setMaxHeaderSize(MAX_HEADER_BYTES)
      .setIdleTimeout(120).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
      .setWebSocketClosingTimeout(2) // seconds to wait for a close reply: a dead peer never sends one
      .setMaxWebSocketFrameSize(64 * 1024)
      .setMaxWebSocketMessageSize((int) Math.min(Integer.MAX_VALUE, options.getMaxBodyBytes() + 64L * 1024));
    io.vertx.core.net.ServerSSLOptions ssl = options.getSslOptions();
    if (ssl != null) { // HttpServerOptions takes TLS settings one by one, not as ServerSSLOptions
      http.setSsl(true).setClientAuth(ssl.getClientAuth()).setSni(ssl.isSni())
        .setSslHandshakeTimeout(ssl.getSslHandshakeTimeout()).setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
      http.setKeyCertOptions(ssl.getKeyCertOptions());
      http.setTrustOptions(ssl.getTrustOptions());
      http.setUseAlpn(ssl.isUseAlpn());
      http.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
      ssl.getEnabledCipherSuites().forEach(http::addEnabledCipherSuite);
      ssl.getCrlPaths().forEach(http::addCrlPath);
      ssl.getCrlValues().forEach(http::addCrlValue);
    }
    return http;
  }

  /**
   * Requires every sync request ({@code POST /sync} and the {@code /sync/ws} upgrade) to pass this
   * authenticator (401 otherwise); {@code GET /health} stays open, for load balancers and probes. Set it
   * before serving.
   */
  TideServer authenticator(ServerAuthenticator authenticator);

  /** The routes, relative to where the router is mounted. */
  Router router();

  ServerStore store();

  /** Closes the store (after committing what is queued). */
  Future<Void> close();
}

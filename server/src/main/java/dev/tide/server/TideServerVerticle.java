package dev.tide.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;

import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link TideServer} on its own HTTP server. Options come from the constructor or the
 * deployment's JSON config. On undeploy, in-flight requests get
 * {@link TideServerOptions#getShutdownGraceSeconds()} to finish, then the store is closed cleanly.
 */
public class TideServerVerticle extends VerticleBase {

  private final TideServerOptions options;
  private ServerAuthenticator authenticator;
  private TideServer server;
  private HttpServer http;

  public TideServerVerticle() {
    this(null);
  }

  public TideServerVerticle(TideServerOptions options) {
    this.options = options;
  }

  /** Requires every request to pass this authenticator. Call before deploying. */
  public TideServerVerticle authenticator(ServerAuthenticator authenticator) {
    this.authenticator = authenticator;
    return this;
  }

  @Override
  public Future<?> start() {
    TideServerOptions opts = options != null ? options : new TideServerOptions(config());
    return TideServer.open(vertx, opts).compose(s -> {
      server = s;
      if (authenticator != null) {
        s.authenticator(authenticator);
      }
      Future<?> listening;
      try {
        http = vertx.createHttpServer(TideServer.httpServerOptions(opts));
        listening = http.requestHandler(s.router()).listen();
      } catch (RuntimeException e) { // bad options (a port over 65535): fail the start, not leave the store open
        listening = Future.failedFuture(e);
      }
      return listening.recover(e -> s.close().transform(v -> Future.failedFuture(e)));
    });
  }

  @Override
  public Future<?> stop() {
    TideServerOptions opts = options != null ? options : new TideServerOptions(config());
    Future<Void> closed = http == null ? Future.succeededFuture() : http.shutdown(opts.getShutdownGraceSeconds(), TimeUnit.SECONDS);
    return closed.eventually(() -> server == null ? Future.succeededFuture() : server.close());
  }

  /** The port listened on (useful with port 0). */
  public int actualPort() {
    return http.actualPort();
  }

  public TideServer server() {
    return server;
  }
}

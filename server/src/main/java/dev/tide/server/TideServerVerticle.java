package dev.tide.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.ContextInternal;

import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link TideServer} on its own HTTP server. Options come from the constructor or the
 * deployment's JSON config. Deployed with several instances, they share one server and store and each
 * serves the port from its own event loop. On undeploy, in-flight requests get
 * {@link TideServerOptions#getShutdownGraceSeconds()} to finish, then the store is closed cleanly. Vert.x
 * closed while the store is still opening waits for the open and closes the store.
 */
public class TideServerVerticle extends VerticleBase {

  private final TideServerOptions options;
  private ServerAuthenticator authenticator;
  private TideServer server;
  private HttpServer http;
  private boolean shared;

  public TideServerVerticle() {
    this(null);
  }

  public TideServerVerticle(TideServerOptions options) {
    this.options = options;
  }

  /**
   * Requires every sync request ({@code POST /sync} and the {@code /sync/ws} upgrade) to pass this
   * authenticator (401 otherwise); {@code GET /health} stays open. Call before deploying.
   */
  public TideServerVerticle authenticator(ServerAuthenticator authenticator) {
    this.authenticator = authenticator;
    return this;
  }

  @Override
  public Future<?> start() {
    TideServerOptions opts = options != null ? options : new TideServerOptions(config());
    shared = context.getInstanceCount() > 1;
    Promise<TideServer> opened = Promise.promise();
    // on this instance's context, so its HTTP server runs on its own event loop
    (shared ? Shared.acquire(vertx, opts, context.deploymentID()) : TideServer.open(vertx, opts)).onComplete(ar -> context.runOnContext(v -> opened.handle(ar)));
    return opened.future().compose(s -> {
      server = s;
      if (authenticator != null) {
        s.authenticator(authenticator);
      }
      Future<?> listening;
      try {
        if (((ContextInternal) context).closeFuture().isClosed()) {
          // Vert.x closed while the store opened: nothing would stop an HTTP server started now
          throw new VertxException("Vert.x closed while the server was starting", true);
        }
        http = vertx.createHttpServer(TideServer.httpServerOptions(opts));
        listening = http.requestHandler(s.router()).listen();
      } catch (RuntimeException e) { // bad options (a port over 65535): fail the start, not leave the store open
        listening = Future.failedFuture(e);
      }
      return listening.recover(e -> release(opts).transform(v -> Future.failedFuture(e)));
    }, e -> release(opts).transform(v -> Future.failedFuture(e)));
  }

  @Override
  public Future<?> stop() {
    TideServerOptions opts = options != null ? options : new TideServerOptions(config());
    Future<Void> closed = http == null ? Future.succeededFuture() : http.shutdown(opts.getShutdownGraceSeconds(), TimeUnit.SECONDS);
    return closed.eventually(() -> server == null ? Future.succeededFuture() : release(opts));
  }

  private Future<Void> release(TideServerOptions opts) {
    return shared ? Shared.release(vertx, opts, context.deploymentID()) : server == null ? Future.succeededFuture() : server.close();
  }

  /**
   * One server (store, WebSocket endpoint, memory budget) per Vert.x instance and database file, shared
   * by the instances of a deployment ({@code setInstances(n)}): each instance listens on the same port
   * with its own HTTP server, on its own event loop. The last instance to stop closes it.
   */
  private static final class Shared {
    private static final Map<Vertx, Map<String, Shared>> ALL = new WeakHashMap<>();
    private final Future<TideServer> server;
    private final String deployment;
    private int users;

    private Shared(Future<TideServer> server, String deployment) {
      this.server = server;
      this.deployment = deployment;
    }

    /**
     * What the instances share: the SQLite file, which one deployment holds at a time; or, on PostgreSQL, the
     * deployment's own store (other deployments, like other processes, may serve the same database).
     */
    private static String key(TideServerOptions opts, String deployment) {
      return opts.getPostgresUrl() != null ? "postgres " + deployment + " " + opts.getPostgresUrl() : opts.getDbPath();
    }

    /** The instances of one deployment share; another deployment on the same file is refused, as the store lock would. */
    static Future<TideServer> acquire(Vertx vertx, TideServerOptions opts, String deployment) {
      synchronized (ALL) {
        Shared shared = ALL.computeIfAbsent(vertx, v -> new HashMap<>())
          .computeIfAbsent(key(opts, deployment), k -> new Shared(openOutsideDeployments(vertx, opts), deployment));
        if (!shared.deployment.equals(deployment)) {
          return Future.failedFuture(new dev.tide.core.StoreException(opts.getDbPath()
            + " is already open by another store instance in this process (deployment " + shared.deployment + ")"));
        }
        shared.users++;
        return shared.server;
      }
    }

    /**
     * Opens from a plain thread: the server then belongs to no one instance (its close hook is Vert.x's
     * own, for a Vert.x closed without an undeploy); the last instance to stop closes it.
     */
    private static Future<TideServer> openOutsideDeployments(Vertx vertx, TideServerOptions opts) {
      Promise<TideServer> opened = Promise.promise();
      Thread opener = new Thread(() -> TideServer.open(vertx, opts).onComplete(opened), "tide-server-open");
      opener.setDaemon(true);
      opener.start();
      return opened.future();
    }

    /** Gives back an instance's share (nothing if its deployment holds none); the last one closes the server. */
    static Future<Void> release(Vertx vertx, TideServerOptions opts, String deployment) {
      Shared shared;
      synchronized (ALL) {
        Map<String, Shared> byPath = ALL.get(vertx);
        shared = byPath == null ? null : byPath.get(key(opts, deployment));
        if (shared == null || !shared.deployment.equals(deployment) || --shared.users > 0) {
          return Future.succeededFuture();
        }
        byPath.remove(key(opts, deployment));
      }
      return shared.server.transform(ar -> ar.succeeded() ? ar.result().close() : Future.succeededFuture());
    }
  }

  /** The port listened on (useful with port 0). */
  public int actualPort() {
    if (http == null) {
      throw new IllegalStateException("the verticle is not started");
    }
    return http.actualPort();
  }

  public TideServer server() {
    return server;
  }
}

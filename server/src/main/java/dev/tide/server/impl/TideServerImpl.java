package dev.tide.server.impl;

import dev.tide.core.impl.CloseSteps;
import dev.tide.core.impl.OffLoopDecoder;
import dev.tide.core.StoreException;
import dev.tide.core.SyncProtocol;
import dev.tide.server.ServerAuthenticator;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.Closeable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * The routes: {@code POST /sync} (method → auth → content type → body size → exchange) and
 * {@code GET /health}. Every refusal is a JSON error body (PROTOCOL.md, "Errors").
 */
public final class TideServerImpl implements TideServer {

  private static final System.Logger LOG = System.getLogger(TideServerImpl.class.getName());
  static final String PRINCIPAL = "tide.principal";

  private final Vertx vertx;
  private final TideServerOptions options;
  private final ServerStore store;
  private final SyncHandler sync;
  private final Router router;
  private final WsEndpoint ws;
  private final long purgeTimer;
  private final BodyBudget bodyBudget;
  private volatile ServerAuthenticator authenticator;
  private volatile boolean closed;
  private final ContextInternal openedOn;
  private final Closeable closeHook = completion -> close().onComplete(completion);
  private Future<Void> closing;
  private final boolean hooked; // false: what opened it was already closed, nothing would close it

  /**
   * Opens the SQLite store and serves it, closed with what opened it (see {@link TideServer#open}). A
   * close of the opener while the store opens on a worker (its verticle undeployed, Vert.x closed) waits
   * for the open, which then closes what it opened and fails: the file and its lock are free again.
   */
  public static Future<TideServer> open(Vertx vertx, TideServerOptions options) {
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    Promise<TideServer> opened = Promise.promise();
    Closeable whileOpening = completion -> opened.future().<Void>transform(ar -> Future.succeededFuture()).onComplete(completion);
    if (!caller.closeFuture().add(whileOpening)) {
      return Future.failedFuture(closedWhileOpening(options));
    }
    Future<ServerStore> opening = options.getPostgresUrl() != null
      ? PgServerStore.open(vertx, options.getPostgresUrl(),
        PgServerStore.Settings.of(options.getPostgresPoolSize(), options.getPostgresTimeoutSeconds()))
      : SqliteServerStore.open(vertx, options.getDbPath(), options.getSynchronous());
    opening.<TideServer>compose(store -> {
      TideServerImpl server = new TideServerImpl(vertx, options, store, caller);
      return server.hooked ? Future.succeededFuture(server)
        : server.close().transform(ar -> Future.failedFuture(closedWhileOpening(options)));
    }).onComplete(opened);
    return opened.future().andThen(ar -> caller.closeFuture().remove(whileOpening));
  }

  private static StoreException closedWhileOpening(TideServerOptions options) {
    return new StoreException("cannot open server store " + (options.getPostgresUrl() != null
      ? PgServerStore.redacted(options.getPostgresUrl()) : options.getDbPath())
      + ": what opened it (its verticle, or Vert.x) was closed meanwhile");
  }

  public TideServerImpl(Vertx vertx, TideServerOptions options, ServerStore store) {
    this(vertx, options, store, (ContextInternal) vertx.getOrCreateContext());
  }

  private TideServerImpl(Vertx vertx, TideServerOptions options, ServerStore store, ContextInternal openedOn) {
    this.vertx = vertx;
    this.options = options;
    this.store = store;
    this.sync = new SyncHandler(options, store);
    this.bodyBudget = new BodyBudget(options.getMaxBufferedBodyBytes(), options.getBodyTimeoutSeconds() * 1000L);
    this.ws = new WsEndpoint(vertx, options, sync, store, bodyBudget);
    this.router = buildRouter();
    this.openedOn = openedOn;
    // closed with what opened it, like a server Vert.x makes in a verticle: its undeploy, or Vertx.close()
    this.hooked = openedOn.closeFuture().add(closeHook);
    long retention = options.getTombstoneRetentionSeconds();
    this.purgeTimer = retention <= 0 ? -1 : vertx.setPeriodic(millis(Math.max(1, options.getPurgeIntervalSeconds())), id ->
      store.purgeTombstones(System.currentTimeMillis() - millis(retention))
        .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "tombstone purge failed", e)));
  }

  /**
   * Seconds as milliseconds; a setting too long to count in milliseconds (Long.MAX_VALUE for "for ever")
   * saturates. Overflowed, a retention came out negative and the purge removed every tombstone, new ones too,
   * and an interval was refused by the timer (the open failed with its store left open).
   */
  private static long millis(long seconds) {
    return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
  }

  private Router buildRouter() {
    Router r = Router.router(vertx);
    r.route("/sync/ws")
      .handler(ctx -> allow(ctx, HttpMethod.GET))
      .handler(this::authenticate) // before the upgrade: an unauthenticated client never gets a socket
      .handler(ctx -> ws.upgrade(ctx, namespace(ctx)));
    // checks first, on their own route: nothing is buffered for a request that will be refused
    r.route("/sync")
      .handler(ctx -> allow(ctx, HttpMethod.POST))
      .handler(this::authenticate)
      .handler(TideServerImpl::requireJson);
    r.post("/sync")
      .handler(new BodyReader(bodyBudget, bodyLimit()))
      .handler(this::exchange);
    r.route("/health").handler(ctx -> allow(ctx, HttpMethod.GET, HttpMethod.HEAD)).handler(ctx -> { // HEAD: probes
      if (closed) {
        ctx.fail(new HttpError(503, "unavailable", "the server is closed"));
      } else {
        ctx.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "ok").put("protocol", SyncProtocol.VERSION).toBuffer());
      }
    });
    r.route().last().handler(ctx -> ctx.fail(new HttpError(404, "not_found", "no such endpoint: " + ctx.request().path())));
    r.route().failureHandler(ctx -> {
      if (!ctx.request().isEnded()) {
        BodyReader.refusedBeforeRead(ctx, bodyBudget.receiveTimeoutMillis());
      }
      HttpError error = HttpError.of(ctx);
      if (error.status >= 500 && !closed && !(ctx.failure() instanceof HttpError)) { // not an answer given on purpose
        LOG.log(System.Logger.Level.ERROR, "sync request failed: " + ctx.request().path(), ctx.failure());
      }
      error.send(ctx);
    });
    return r;
  }

  private static void allow(RoutingContext ctx, HttpMethod... methods) {
    if (java.util.Arrays.asList(methods).contains(ctx.request().method())) {
      ctx.next();
    } else {
      String allowed = java.util.Arrays.stream(methods).map(HttpMethod::name).collect(java.util.stream.Collectors.joining(", "));
      ctx.response().putHeader("Allow", allowed); // from the route, not its path: /health/ is /health
      ctx.fail(new HttpError(405, "method_not_allowed", "use " + methods[0].name() + " on " + ctx.request().path()));
    }
  }

  private void authenticate(RoutingContext ctx) {
    ServerAuthenticator auth = authenticator;
    if (auth == null) {
      ctx.put(PRINCIPAL, "");
      ctx.next();
      return;
    }
    // paused while the authenticator answers (it may ask an identity provider): body bytes arriving
    // meanwhile would be dropped, and a WebSocket upgrade could no longer be made
    ctx.request().pause();
    Future<String> principal;
    try {
      principal = auth.authenticate(ctx.request().headers());
    } catch (RuntimeException e) {
      principal = Future.failedFuture(e);
    }
    // the request goes on on its own context: a future completed on the authenticator's thread (a
    // CompletableFuture, an HTTP client's callback) would run the rest of the request there, racing its event loop
    Context request = Vertx.currentContext();
    principal.onComplete(ar -> {
      if (request == null || Vertx.currentContext() == request) {
        authenticated(ctx, ar);
      } else {
        request.runOnContext(v -> authenticated(ctx, ar));
      }
    });
  }

  private static void authenticated(RoutingContext ctx, AsyncResult<String> ar) {
    if (ar.succeeded() && ar.result() != null) {
      ctx.put(PRINCIPAL, ar.result());
      ctx.next(); // the body reader or the upgrade resumes the request
    } else {
      ctx.fail(new HttpError(401, "unauthorized", ar.failed() && ar.cause().getMessage() != null
        ? ar.cause().getMessage() : "authentication required"));
    }
  }

  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (media.equals("application/json")) {
      ctx.next();
    } else {
      ctx.fail(new HttpError(415, "unsupported_media_type", "Content-Type must be application/json, got " + type));
    }
  }

  /** The largest body: maxBodyBytes, or the whole memory budget if that is smaller (a larger one could never be taken). */
  private long bodyLimit() {
    return Math.min(options.getMaxBodyBytes(), bodyBudget.max());
  }

  private void exchange(RoutingContext ctx) {
    Buffer body = BodyReader.body(ctx);
    // a large body is read on a worker: the event loop serves other connections meanwhile
    OffLoopDecoder.decode(vertx, body.length(), () -> sync.parse(body))
      .compose(request -> ctx.response().ended() ? Future.<SyncHandler.Exchange>failedFuture(ANSWERED)
        : sync.exchange(namespace(ctx), request)).onComplete(ar -> {
      if (ctx.response().ended()) {
        // answered meanwhile by the application (its TimeoutHandler's 503, with tide mounted under it): left
        // alone, as ending it again throws on the event loop, and a failure would abort the connection
        return;
      }
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", "application/json").end(ar.result().body());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** A request the application answered before its exchange began: not exchanged. */
  private static final HttpError ANSWERED = new HttpError(503, "unavailable", "answered by the application");

  /** All principals share one namespace for now; scoping data per principal changes only this. */
  private static String namespace(RoutingContext ctx) {
    return "";
  }

  @Override
  public TideServer authenticator(ServerAuthenticator authenticator) {
    this.authenticator = authenticator;
    return this;
  }

  @Override
  public Router router() {
    return router;
  }

  @Override
  public ServerStore store() {
    return store;
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true;
      openedOn.closeFuture().remove(closeHook);
      if (purgeTimer >= 0) {
        vertx.cancelTimer(purgeTimer);
      }
      sync.close();
      // the store closes even if closing the sockets failed; the close fails with the first failure
      closing = CloseSteps.andThen(ws.close(), store::close);
    }
    return closing;
  }

  /** Request bytes held in memory now, HTTP bodies and WebSocket messages together (for monitoring and tests). */
  public long bufferedRequestBytes() {
    return bodyBudget.used();
  }

  /** Open WebSocket connections (for monitoring and tests). */
  public int webSocketConnections() {
    return ws.connectionCount();
  }
}

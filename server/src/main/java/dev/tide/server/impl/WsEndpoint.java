package dev.tide.server.impl;

import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /sync/ws}: sync exchanges over a WebSocket, plus live pushes of committed changes to every
 * connection from its own cursor (PROTOCOL.md, section 6). Authentication runs before the upgrade.
 */
final class WsEndpoint {

  private final Vertx vertx;
  private final TideServerOptions options;
  private final SyncHandler sync;
  private final Set<WsConnection> connections = ConcurrentHashMap.newKeySet();
  private final Runnable unsubscribe;
  private final long timer;

  WsEndpoint(Vertx vertx, TideServerOptions options, SyncHandler sync, ServerStore store) {
    this.vertx = vertx;
    this.options = options;
    this.sync = sync;
    // called after each commit, on the writer thread: each connection hops to its own context
    this.unsubscribe = store.signal().subscribe(seq -> connections.forEach(WsConnection::signal));
    this.timer = vertx.setPeriodic(1000, id -> {
      long now = System.currentTimeMillis();
      connections.forEach(c -> c.check(now));
    });
  }

  void upgrade(RoutingContext ctx, String namespace) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.fail(new HttpError(426, "upgrade_required", "this endpoint speaks WebSocket only"));
      return;
    }
    ctx.request().toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        return; // the handshake failed; Vert.x has answered the request
      }
      WsConnection c = new WsConnection(vertx.getOrCreateContext(), ar.result(), namespace, sync, options, connections::remove);
      connections.add(c);
      c.start();
    });
  }

  int connectionCount() {
    return connections.size();
  }

  Future<Void> close() {
    unsubscribe.run();
    vertx.cancelTimer(timer);
    connections.forEach(c -> c.close((short) 1001, "server shutting down"));
    return Future.succeededFuture();
  }
}

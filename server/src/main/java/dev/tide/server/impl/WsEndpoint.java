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

  private volatile boolean closed;
  private final Vertx vertx;
  private final TideServerOptions options;
  private final SyncHandler sync;
  private final BodyBudget bodyBudget;
  private final Set<WsConnection> connections = ConcurrentHashMap.newKeySet();
  private final Runnable unsubscribe;
  private final long timer;
  private final io.vertx.core.Context context;
  private final java.util.concurrent.atomic.AtomicBoolean fanoutScheduled = new java.util.concurrent.atomic.AtomicBoolean();

  WsEndpoint(Vertx vertx, TideServerOptions options, SyncHandler sync, ServerStore store, BodyBudget bodyBudget) {
    this.vertx = vertx;
    this.bodyBudget = bodyBudget;
    this.options = options;
    this.sync = sync;
    this.context = vertx.getOrCreateContext();
    // called after each commit: one fan-out cycle per burst of commits
    this.unsubscribe = store.signal().subscribe(commit -> scheduleFanout());
    this.timer = vertx.setPeriodic(1000, id -> connections.forEach(WsConnection::check));
  }

  private void scheduleFanout() {
    if (fanoutScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> fanout());
    }
  }

  /**
   * Pushes to every idle connection: connections at the same position share one pull and one encoded
   * frame (a commit reaches 1,000 clients with one SQLite read, not 1,000). The rest catch up on their own.
   */
  private void fanout() {
    fanoutScheduled.set(false);
    java.util.Map<String, java.util.Map<Cursors.Position, java.util.List<WsConnection>>> groups = new java.util.HashMap<>();
    try {
      long last = sync.lastSeq();
      for (WsConnection c : connections) {
        Cursors.Position from = c.pushFrom();
        if (from == null || sync.purgedSince(from) || from.seq() > last) { // behind a purge, or ahead of a database that went back
          c.signal(); // on its own (a client that missed purged deletes is sent to sync again)
        } else if (from.seq() < last) { // the others have seen every commit (the pushing client, after its exchange)
          groups.computeIfAbsent(c.namespace(), k -> new java.util.HashMap<>())
            .computeIfAbsent(from, k -> new java.util.ArrayList<>()).add(c);
        }
      }
    } catch (RuntimeException e) {
      // an application's store whose getter threw: each connection pushes on its own, retrying until the
      // store answers (nothing else would wake them for this commit)
      connections.forEach(WsConnection::signal);
      return;
    }
    groups.forEach((ns, byPosition) -> byPosition.forEach((from, group) ->
      sync.pageAll(ns, from).onComplete(ar -> {
        if (ar.failed()) {
          group.forEach(WsConnection::signal); // each retries on its own
          return;
        }
        var page = ar.result();
        if (page.lastSeq() <= from.seq()) {
          return; // nothing new at this position
        }
        String frame;
        try {
          frame = ResponseWriter.pushFrame(sync.cursor(from), sync.cursor(SyncHandler.position(page)), page.changes(), page.more());
        } catch (RuntimeException e) { // a store getter threw, as above
          group.forEach(WsConnection::signal);
          return;
        }
        group.forEach(c -> c.offer(from, page, frame));
        if (page.more()) {
          scheduleFanout(); // the next page, from the new position
        }
      })));
  }

  void upgrade(RoutingContext ctx, String namespace) {
    if (closed) { // nothing would ping, push to or cut off the socket
      ctx.fail(new HttpError(503, "unavailable", "the server is closed"));
      return;
    }
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.fail(new HttpError(426, "upgrade_required", "this endpoint speaks WebSocket only"));
      return;
    }
    ctx.request().toWebSocket().onComplete(ar -> {
      if (ar.failed()) {
        return; // the handshake failed; Vert.x has answered the request
      }
      WsConnection c = new WsConnection(vertx.getOrCreateContext(), ar.result(), ctx.request().connection(), namespace, sync,
        options, bodyBudget, connections::remove);
      connections.add(c);
      c.start();
      if (closed) { // close() ran while the handshake completed
        c.close((short) 1001, "server shutting down");
      }
    });
  }

  int connectionCount() {
    return connections.size();
  }

  Future<Void> close() {
    closed = true;
    unsubscribe.run();
    vertx.cancelTimer(timer);
    connections.forEach(c -> c.close((short) 1001, "server shutting down"));
    return Future.succeededFuture();
  }
}

package dev.tide.server.impl;

import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.impl.TextFrames;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's WebSocket. Requests and pushes are serialized: one at a time, so every frame's cursor
 * follows the previous one. After its first exchange the connection knows the client's node and
 * position, and each commit signal makes it push the changes after that position (never the client's
 * own), page by page. A client whose socket stays full is cut off; it resumes from its cursor.
 * All state is confined to the connection's context.
 */
final class WsConnection {

  /**
   * Close code: the client must reset (deletes it had not seen were purged, or the database lost commits it
   * had seen); it reconnects and its exchange from its cursor is told to.
   */
  static final short RESET_REQUIRED = 4409;

  /** How long a close waits for its close frame to go out and be answered before the connection is cut. */
  static final long CLOSE_WAIT_MS = 5_000;

  private final Context context;
  private final ServerWebSocket ws;
  private final io.vertx.core.http.HttpConnection connection; // the upgraded request's: the socket's TCP connection
  private final String namespace;
  private final SyncHandler sync;
  private final TideServerOptions options;
  private final ArrayDeque<WsIntake.Request> requests = new ArrayDeque<>();
  private final AtomicBoolean signalled = new AtomicBoolean();
  // volatile: the endpoint reads them (from its own context) to group connections for a shared push
  private volatile String nodeId;
  private volatile Cursors.Position position; // where the client is: the last cursor it was sent (null: none yet)
  private volatile boolean busy;
  private boolean dirty;
  private boolean retrying; // a push failed and is tried again shortly
  private boolean closed;
  private boolean ended; // the socket's close handler ran: its connection is gone
  private boolean shuttingDown;
  private final WsLiveness liveness = new WsLiveness(System::nanoTime); // for the periodic check

  private final java.util.function.Consumer<WsConnection> onGone;
  private final BodyBudget bodyBudget;
  private final WsIntake intake;

  WsConnection(Context context, ServerWebSocket ws, io.vertx.core.http.HttpConnection connection, String namespace,
               SyncHandler sync, TideServerOptions options, BodyBudget bodyBudget,
               java.util.function.Consumer<WsConnection> onGone) {
    this.connection = connection;
    this.onGone = onGone;
    this.bodyBudget = bodyBudget;
    // the hello's maxMessageBytes, plus room for the frame's envelope around the request
    this.context = context;
    this.ws = ws;
    this.namespace = namespace;
    this.sync = sync;
    this.options = options;
    this.intake = new WsIntake(context, options, bodyBudget, new WsIntake.Connection() {
      @Override
      public boolean isClosed() {
        return closed;
      }

      @Override
      public void enqueue(WsIntake.Request request) {
        requests.add(request);
        if (busy) {
          ws.pause(); // one request at a time: stop reading until this one is answered (bounded memory)
        }
        pump();
      }

      @Override
      public void close(short code, String reason) {
        WsConnection.this.close(code, reason);
      }
    });
  }

  void start() {
    ws.setWriteQueueMaxSize(1 << 20); // a full queue pauses pushes to this socket only
    ws.frameHandler(frame -> {
      liveness.heard(); // any frame: a large message on a slow link takes long to arrive
      intake.frame(frame);
    });
    ws.pongHandler(b -> liveness.heard());
    ws.closeHandler(v -> {
      ended = true;
      closed = true;
      onGone.accept(this);
      intake.close();
      requests.forEach(q -> bodyBudget.release(q.reserved()));
      requests.clear();
    });
    ws.exceptionHandler(e -> close((short) 1011, "connection error"));
    // the HTTP server shuts down (a graceful stop): close now if idle, else once the answer in flight is sent
    ws.shutdownHandler(v -> {
      shuttingDown = true;
      if (!busy) {
        close((short) 1001, "server shutting down");
      }
    });
    ws.writeTextMessage(new JsonObject().put("type", "hello").put("protocol", SyncProtocol.VERSION)
      .put("maxMessageBytes", intake.maxMessageBytes()).encode()); // the largest sync request it accepts
  }

  /**
   * Where a shared push for this connection would start, or -1 if it cannot take one now (not yet
   * registered, mid-exchange, closed or backed up): then it catches up on its own when it can.
   */
  Cursors.Position pushFrom() {
    return nodeId != null && !busy && !closed && !liveness.backedUp() ? position : null;
  }

  String namespace() {
    return namespace;
  }

  /**
   * A page the endpoint pulled once for every connection at {@code from} (any thread). Sent if this
   * connection is still idle at that position: the shared frame when the page holds none of its own
   * writes, else a copy without them. Otherwise it falls back to its own pull.
   */
  void offer(Cursors.Position from, dev.tide.server.spi.PullPage page, String sharedFrame) {
    context.runOnContext(v -> {
      if (closed || ws.isClosed()) {
        return;
      }
      String frame;
      try {
        if (busy || !from.equals(position) || nodeId == null || ws.writeQueueFull() || purged()) {
          dirty = true;
          pump();
          return;
        }
        frame = withoutOwn(page, sharedFrame);
      } catch (RuntimeException e) { // a store getter threw (see retryPush)
        retryPush();
        return;
      }
      position = SyncHandler.position(page);
      send(frame);
    });
  }

  /** The shared frame, or, if the page holds this client's own writes, a copy without them. */
  private String withoutOwn(dev.tide.server.spi.PullPage page, String sharedFrame) {
    String node = nodeId;
    if (page.changes().stream().noneMatch(c -> c.stamp().node().equals(node))) {
      return sharedFrame;
    }
    return ResponseWriter.pushFrame(sync.cursor(position), sync.cursor(SyncHandler.position(page)),
      page.changes().stream().filter(c -> !c.stamp().node().equals(node)).toList(), page.more());
  }

  /** A commit happened (any thread): push what this client has not seen, once per burst. */
  void signal() {
    if (signalled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        signalled.set(false);
        dirty = true;
        pump();
      });
    }
  }

  private void pump() {
    if (busy || closed || ws.isClosed()) { // isClosed: the peer's close frame came (the write queue is off limits)
      return;
    }
    if (ws.writeQueueFull()) {
      // answers wait like pushes: a client that does not read gets nothing more queued, and is cut off
      // after wsSlowClientSeconds (it would otherwise make the server hold every answer it asked for)
      ws.pause();
      awaitDrain();
      return;
    }
    WsIntake.Request next = requests.poll();
    if (requests.isEmpty()) {
      ws.resume();
    }
    if (next != null) {
      exchange(next);
    } else if (dirty && nodeId != null) {
      try {
        push();
      } catch (RuntimeException e) { // a store getter threw (see retryPush)
        retryPush();
      }
    }
  }

  /** The socket's write queue is full: note since when (see {@link #check}) and go on once it drains. */
  private void awaitDrain() {
    liveness.queueFull();
    ws.drainHandler(v -> {
      liveness.drained();
      pump();
    });
  }

  private void exchange(WsIntake.Request next) {
    Object id = next.id();
    SyncRequest request = next.request();
    HttpError refused = next.refused();
    if (refused == null) {
      try {
        sync.checkLimits(request);
      } catch (HttpError e) {
        refused = e;
      }
    }
    if (refused != null) {
      bodyBudget.release(next.reserved());
      sendError(id, refused);
      pump();
      return;
    }
    busy = true;
    sync.exchange(namespace, request).onComplete(ar -> {
      busy = false;
      bodyBudget.release(next.reserved());
      if (ar.succeeded()) {
        nodeId = request.nodeId();
        position = ar.result().position();
        send("{\"type\":\"result\",\"id\":" + Json.encode(id) + ",\"response\":"
          + ar.result().body().toString() + "}");
      } else {
        sendError(id, ar.cause() instanceof HttpError e ? e : new HttpError(503, "unavailable", String.valueOf(ar.cause().getMessage())));
      }
      if (shuttingDown) {
        close((short) 1001, "server shutting down");
        return;
      }
      pump();
    });
  }

  /** Deletes this client had not seen were purged since its position: it must pull everything (its next exchange is told to). */
  private boolean purged() {
    return position != null && sync.purgedSince(position);
  }

  /** Closed so that the client reconnects and syncs from its cursor, which gets {@code 409 history_purged}. */
  private void closePurged() {
    close(RESET_REQUIRED, "history purged: sync from your cursor");
  }

  private void push() {
    // ahead of lastSeq: read anyway; a store whose database lost commits this client had seen refuses
    // the position with a 409 (PgServerStore), and the client is sent to reset (below)
    if (position.seq() == sync.lastSeq()) {
      dirty = false; // its exchange already took it past every commit (a pushing client): nothing to read
      return;
    }
    if (purged()) {
      closePurged();
      return;
    }
    busy = true;
    dirty = false;
    Cursors.Position from = position;
    sync.page(namespace, from, nodeId).onComplete(ar -> {
      busy = false;
      if (ar.failed()) {
        if (ar.cause() instanceof HttpError e && e.status == 409) { // the store refused the position itself
          close(RESET_REQUIRED, "reset required: sync from your cursor");
          return;
        }
        retryPush();
        return;
      }
      var page = ar.result();
      if (page.lastSeq() > from.seq() && position == from) {
        String frame;
        try {
          if (purged()) { // a purge committed while the page was read: it may lack a tombstone
            closePurged();
            return;
          }
          frame = ResponseWriter.pushFrame(sync.cursor(from), sync.cursor(SyncHandler.position(page)), page.changes(), page.more());
        } catch (RuntimeException e) { // a store getter threw: the page is not sent, so the position stays
          retryPush();
          return;
        }
        position = SyncHandler.position(page);
        dirty |= page.more();
        send(frame);
      }
      if (shuttingDown) { // the shutdown waited for this push, as for an answer: the client resumes from its cursor
        close((short) 1001, "server shutting down");
        return;
      }
      pump();
    });
  }

  /**
   * The store failed for now (a failed read, or an application's store whose getter threw): try again
   * shortly rather than leave this client behind until the next commit. A shutdown does not wait for it.
   */
  private void retryPush() {
    if (shuttingDown) {
      close((short) 1001, "server shutting down");
      return;
    }
    if (!retrying) { // one retry at a time, however many signals meet the failure
      retrying = true;
      context.owner().setTimer(200, t -> {
        retrying = false;
        dirty = true;
        pump();
      });
    }
  }

  /** A result or push, as frames whose writing counts as progress (see {@link #check}). */
  private void send(String message) {
    TextFrames.write(ws, message, liveness::progressed);
  }

  private void sendError(Object id, HttpError e) {
    ws.writeTextMessage(new JsonObject().put("type", "error").put("id", id).put("status", e.status)
      .mergeIn(e.body()).encode());
  }

  /** Periodic (any thread): ping, and cut connections that went silent or cannot keep up. */
  void check() {
    switch (liveness.check(options.getWsIdleTimeoutSeconds() * 1000L, options.getWsSlowClientSeconds() * 1000L)) {
      case SILENT -> close((short) 1001, "no answer to pings");
      case TOO_SLOW -> close((short) 1013, "too slow: reconnect and resume from your cursor");
      case PING -> context.runOnContext(v -> {
        if (!closed) {
          ws.writePing(Buffer.buffer("tide"));
        }
      });
      case FINE -> { }
    }
  }

  void close(short code, String reason) {
    context.runOnContext(v -> {
      if (!closed) {
        closed = true;
        onGone.accept(this); // gone now, even while the close handshake with a dead peer times out
        ws.close(code, reason);
        // a peer that reads nothing never takes the close frame, queued behind the rest, and the closing
        // timeout starts only once it is sent: the connection and its queue stayed long after. Cut past
        // Vert.x's handler, whose close would flush first
        context.owner().setTimer(CLOSE_WAIT_MS, t -> {
          if (!ended && connection instanceof io.vertx.core.net.impl.ConnectionBase c && c.channel().isOpen()) {
            c.channel().pipeline().firstContext().close();
          }
        });
      }
    });
  }
}

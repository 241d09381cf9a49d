package dev.tide.transport.websocket;

import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.Backoff;
import dev.tide.core.impl.OffLoopDecoder;
import dev.tide.core.impl.RequestNotSentException;
import dev.tide.core.impl.TextFrames;
import dev.tide.core.impl.WireReader;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransport;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;

import java.util.ArrayList;
import java.util.List;

/**
 * Sync over one WebSocket (PROTOCOL.md, section 6): exchanges are {@code sync} frames answered by
 * {@code result}/{@code error} frames, and the server pushes {@code changes} frames as soon as it
 * commits. Pings every {@link SyncOptions#getHeartbeatMs()} detect a dead peer; a dropped connection
 * is re-established with exponential backoff and jitter, after which the engine catches up from its
 * persisted cursor. All state lives on one Vert.x context.
 */
public final class WebSocketSyncTransport implements SyncTransport {

  /** Largest message accepted from the server: its responses stop near 8 MiB. */
  static final int MAX_MESSAGE_BYTES = SyncProtocol.MAX_MESSAGE_BYTES;

  private final Vertx vertx;
  private final Context context;
  private final OffLoopDecoder decoder;
  private final SyncOptions options;
  private final Dialer dialer;
  private final java.util.Set<Promise<SyncResponse>> awaitingSocket = new java.util.HashSet<>(); // failed by close()
  private Handler<PushedChanges> pushHandler = p -> { };
  private Handler<Void> connectedHandler = v -> { };
  private Handler<Void> disconnectedHandler = v -> { };
  private WebSocket ws;
  private Future<WebSocket> connecting;
  private Promise<WebSocket> hello;
  private final Liveness liveness = new Liveness(System::nanoTime);
  private final InFlight inFlight;
  private long heartbeatTimer = -1;
  private long reconnectTimer = -1;
  private int reconnectFailures; // connections lost or refused since the last result: a server that closes them answered nothing
  private final ProtocolBackoff protocolBackoff; // reconnects after frames that broke the protocol
  private boolean everConnected;
  private long maxMessageBytes = Long.MAX_VALUE;
  private boolean closed;

  private WebSocketSyncTransport(Vertx vertx, SyncOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.decoder = new OffLoopDecoder(vertx);
    this.options = new SyncOptions(options);
    this.inFlight = new InFlight(vertx, this.options, liveness);
    this.protocolBackoff = new ProtocolBackoff(this.options, System::nanoTime);
    this.dialer = new Dialer(vertx, this.options);
  }

  public static WebSocketSyncTransport create(Vertx vertx, SyncOptions options) {
    if (options.getUrl() == null) {
      throw new IllegalArgumentException("SyncOptions.url is required");
    }
    return new WebSocketSyncTransport(vertx, options);
  }

  @Override
  public void pushHandler(Handler<PushedChanges> handler) {
    this.pushHandler = handler;
  }

  @Override
  public void connectedHandler(Handler<Void> handler) {
    this.connectedHandler = handler;
  }

  @Override
  public void disconnectedHandler(Handler<Void> handler) {
    this.disconnectedHandler = handler;
  }

  @Override
  public boolean pushes() {
    return ws != null;
  }

  @Override
  public Future<SyncResponse> exchange(SyncRequest request) {
    Promise<SyncResponse> result = Promise.promise();
    context.runOnContext(v -> {
      awaitingSocket.add(result);
      connect().onComplete(ar -> exchangeOn(ar, request, result));
    });
    return result.future();
  }

  private void exchangeOn(AsyncResult<WebSocket> ar, SyncRequest request, Promise<SyncResponse> result) {
    if (!awaitingSocket.remove(result)) {
      return; // failed by close() while the connection was being made
    }
    if (ar.failed()) { // no socket (or no hello on it): nothing of the request left, nothing was lost
      result.fail(RequestNotSentException.of(ar.cause()));
      return;
    }
    Buffer body = request.toBuffer();
    if (body.length() > maxMessageBytes) { // the request (not its envelope) over the server's limit: a 413 here
      result.fail(new SyncException(413, "too_large", "request of " + body.length() + " bytes is over the server's "
        + maxMessageBytes + "-byte limit", "ops"));
      return;
    }
    long id = inFlight.newId();
    String frame = "{\"type\":\"sync\",\"id\":" + id + ",\"request\":" + body + "}";
    inFlight.put(id, result);
    WebSocket socket = ar.result();
    liveness.progressed();
    // once timed out: a fresh connection, rather than a late answer on this one
    inFlight.awaitAnswer(id, result, () -> drop(socket, "request timed out"));
    TextFrames.write(socket, frame, liveness::progressed).onFailure(e -> {
      if (inFlight.remove(id) != null) {
        result.tryFail(e);
      }
    });
  }

  /** The open socket, or a new connection (credentials refreshed once if the upgrade gets a 401). */
  private Future<WebSocket> connect() {
    if (closed) {
      return Future.failedFuture(new VertxException("transport closed", true));
    }
    if (connecting != null) {
      return connecting; // its socket may be open, but it is not used before the server's hello
    }
    if (ws != null) {
      return Future.succeededFuture(ws);
    }
    if (protocolBackoff.remainingMs() > 0) {
      // the server broke the protocol just now: it accepts connections, so only this backoff keeps retries apart
      return Future.failedFuture(protocolBackoff.failure());
    }
    Future<WebSocket> attempt = dialer.open()
      .transform(ar -> {
        if (ar.failed()) {
          connecting = null;
          return Future.failedFuture(ServerFrames.rejection(ar.cause()));
        }
        // ready once the server's hello (with its message limit) has arrived
        WebSocket socket = ar.result();
        Promise<WebSocket> ready = Promise.promise();
        hello = ready;
        long timer = vertx.setTimer(options.getRequestTimeoutMs(),
          t -> ready.tryFail(new VertxException("no hello from the server within " + options.getRequestTimeoutMs() + " ms", true)));
        setUp(socket);
        return ready.future().onComplete(x -> {
          vertx.cancelTimer(timer);
          connecting = null;
          if (x.failed()) {
            drop(socket, "no hello from the server"); // never used without it: a fresh connection next time
          }
        });
      });
    // an attempt that failed at once (its headers refused) cleared the field before it was set: it stayed set,
    // and every later exchange got that failure without a new attempt
    connecting = attempt.isComplete() ? null : attempt;
    return attempt;
  }

  /** Runs on the context: the server's first frame ("hello") must not be missed. */
  private void setUp(WebSocket socket) {
    ws = socket;
    liveness.reset();
    // every frame counts, a part of a large message too: on a slow link it may take minutes
    TextMessageJoiner messages = new TextMessageJoiner(MAX_MESSAGE_BYTES, text -> onText(socket, text),
      why -> protocolError(socket, ServerFrames.protocolError(why)),
      () -> drop(socket, "message over " + MAX_MESSAGE_BYTES + " bytes")); // like a lost connection: a smaller page next
    socket.frameHandler(frame -> {
      liveness.received(frame);
      if (socket == ws) {
        messages.frame(frame);
      }
    });
    socket.pongHandler(b -> liveness.pong());
    socket.exceptionHandler(e -> {
      if (e instanceof CorruptedWebSocketFrameException && socket == ws) { // a frame over 64 KiB, a bad frame header...
        protocolError(socket, ServerFrames.protocolError("invalid WebSocket frame from the server: " + e.getMessage()));
      } else {
        drop(socket, "connection error: " + e.getMessage());
      }
    });
    socket.closeHandler(v -> onClosed(socket, closeCode(socket)));
    heartbeatTimer = vertx.setPeriodic(Math.max(10, options.getHeartbeatMs()), t -> heartbeat(socket));
    boolean reconnected = everConnected;
    everConnected = true;
    if (reconnected) {
      connectedHandler.handle(null);
    }
  }

  private void heartbeat(WebSocket socket) {
    if (socket != ws) {
      return;
    }
    if (liveness.msSinceActive() > 2 * options.getHeartbeatMs()) {
      // nothing received and nothing of ours taken for two heartbeats: a dead peer or a half-open connection
      drop(socket, "silent for two heartbeats");
    } else {
      socket.writePing(Buffer.buffer("tide"));
    }
  }

  private void onText(WebSocket socket, String text) {
    // responses and pushed changes are streamed (documents keep their text); a large one on a worker, in order
    decoder.submit(text.length(), () -> WireReader.serverFrame(text), decoded -> onFrame(socket, decoded));
  }

  private void onFrame(WebSocket socket, AsyncResult<WireReader.Frame> decoded) {
    if (socket != ws) {
      return; // decoded after its socket was dropped: what was in flight on it has failed already
    }
    ServerFrames.Frame frame;
    try {
      frame = decoded.failed() ? null : ServerFrames.read(decoded.result());
      if (frame == null) {
        throw ServerFrames.unreadable(decoded.cause());
      }
      if (frame instanceof ServerFrames.Result r) {
        inFlight.answer(r.id(), "result").tryComplete(r.response());
        protocolBackoff.succeeded();
        reconnectFailures = 0; // the connection works: the next one after a close comes soon
      } else if (frame instanceof ServerFrames.Error e) {
        Promise<SyncResponse> p = e.id() != null ? inFlight.answer(e.id(), "error")
          // no id: the server could not read our frame that far. Refusals come in turn, and only sync requests
          // are sent: it answers the oldest one in flight (with none, there is nothing to fail)
          : inFlight.removeOldest();
        if (p != null) {
          p.tryFail(e.error());
        }
      } else if (frame instanceof ServerFrames.Changes c) {
        pushHandler.handle(c.push());
      } else if (frame instanceof ServerFrames.Hello h) {
        maxMessageBytes = h.maxMessageBytes();
        if (hello != null) {
          hello.tryComplete(socket);
        }
      } // unknown types: nothing to do (forward compatibility)
    } catch (SyncException e) {
      protocolError(socket, e);
    }
  }

  /**
   * A frame that breaks the protocol: nothing of it is applied, everything in flight fails with it, and
   * the socket is dropped (what follows on it cannot be trusted); reconnects back off while this repeats.
   */
  private void protocolError(WebSocket socket, SyncException e) {
    inFlight.failAll(e);
    if (hello != null) {
      hello.tryFail(e);
    }
    protocolBackoff.failed(e);
    drop(socket, "protocol error from the server"); // the close reason has a byte limit; the error says more
  }

  private void drop(WebSocket socket, String reason) {
    if (socket == ws) {
      socket.close((short) 1000, reason.length() > 120 ? reason.substring(0, 120) : reason);
      onClosed(socket, null);
    }
  }

  /** The peer's close code, or null (Vert.x throws rather than return null while a close is under way). */
  private static Short closeCode(WebSocket socket) {
    try {
      return socket.closeStatusCode();
    } catch (NullPointerException noCodeYet) {
      return null;
    }
  }

  private void onClosed(WebSocket socket, Short code) {
    if (socket != ws) {
      return;
    }
    ws = null;
    vertx.cancelTimer(heartbeatTimer);
    if (hello != null) {
      hello.tryFail(new VertxException("connection closed before the server's hello", true));
    }
    // 1009: the server refused a message as too big, which is what a 413 is over HTTP
    Throwable cause = code != null && code == 1009 ? new SyncException(413, "too_large", "message too big for the server", "ops")
      : new VertxException("connection closed", true);
    inFlight.failAll(cause);
    scheduleReconnect();
    if (!closed) {
      disconnectedHandler.handle(null);
    }
  }

  private void scheduleReconnect() {
    if (closed || reconnectTimer >= 0) {
      return;
    }
    long delay = Math.max(Backoff.delayMs(options, ++reconnectFailures), protocolBackoff.remainingMs());
    reconnectTimer = vertx.setTimer(delay, t -> {
      reconnectTimer = -1;
      if (ws == null && !closed) {
        connect().onFailure(e -> scheduleReconnect());
      }
    });
  }

  @Override
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      // an exchange still waiting for its connection (its headers, the handshake, the hello) ends now
      List<Promise<SyncResponse>> waiting = new ArrayList<>(awaitingSocket);
      awaitingSocket.clear();
      waiting.forEach(p -> p.tryFail(new VertxException("transport closed", true)));
      if (reconnectTimer >= 0) {
        vertx.cancelTimer(reconnectTimer);
      }
      WebSocket socket = ws;
      Future<Void> closing = socket == null ? Future.succeededFuture() : socket.close((short) 1000, "client closing");
      closing.eventually(dialer::close).onComplete(ar -> done.complete());
    });
    return done.future();
  }
}

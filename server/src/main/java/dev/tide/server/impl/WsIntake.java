package dev.tide.server.impl;

import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncRequest;
import dev.tide.core.impl.OffLoopDecoder;
import dev.tide.core.impl.WireReader;
import dev.tide.server.TideServerOptions;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * A WebSocket connection's incoming side: joins frames into messages within the body budget, reads each
 * as a sync frame (a large one on a worker) and hands the connection, in arrival order, either a request
 * or the refusal it is to be answered with. Confined to the connection's context.
 */
final class WsIntake {

  /**
   * Room for a sync frame's envelope around its request ({@code {"type":"sync","id":…,"request":…}}, an id
   * of at most 64 chars): a message is refused over maxMessageBytes plus this, as HTTP over maxBodyBytes.
   */
  static final int ENVELOPE_BYTES = 1024;

  /** What the intake needs of its connection. */
  interface Connection {
    boolean isClosed();

    /** To be answered in turn, after those before it; its reserved budget bytes are released once answered. */
    void enqueue(Request request);

    void close(short code, String reason);
  }

  /** A frame's request, or why it is refused; {@code reserved} bytes of the body budget are held until it is answered. */
  record Request(Object id, SyncRequest request, HttpError refused, long reserved) {
  }

  private final Connection connection;
  private final BodyBudget bodyBudget;
  private final WsMessageReader reader;
  private final OffLoopDecoder decoder;
  private final long maxMessageBytes;

  WsIntake(Context context, TideServerOptions options, BodyBudget bodyBudget, Connection connection) {
    this.connection = connection;
    this.bodyBudget = bodyBudget;
    this.maxMessageBytes = maxMessageBytes(options, bodyBudget);
    this.decoder = new OffLoopDecoder(context.owner());
    // the hello's maxMessageBytes, plus room for the frame's envelope around the request
    this.reader = new WsMessageReader(bodyBudget, Math.min(maxMessageBytes + ENVELOPE_BYTES, bodyBudget.max()),
      new WsMessageReader.Sink() {
        @Override
        public void message(Buffer message, long reserved) {
          onText(message, reserved);
        }

        @Override
        public void busy() {
          refuseInTurn(HttpError.busy());
        }

        @Override
        public void tooBig() {
          connection.close((short) 1009, "message too big");
        }

        @Override
        public void binary() {
          connection.close((short) 1003, "text frames only");
        }

        @Override
        public void timedOut() {
          // not busy: the message was too slow to arrive, so the client must send smaller ones (as over HTTP)
          refuseInTurn(new HttpError(408, "timeout", "the message did not arrive within "
            + bodyBudget.receiveTimeoutMillis() / 1000 + " s"));
        }
      });
  }

  /**
   * The largest request (the hello tells it): the body limit, or what the whole memory budget holds
   * beside the frame's envelope if that is smaller (a small heap).
   */
  long maxMessageBytes() {
    return maxMessageBytes;
  }

  private static long maxMessageBytes(TideServerOptions options, BodyBudget bodyBudget) {
    long budget = bodyBudget.max();
    return Math.min(options.getMaxBodyBytes(), budget - Math.min(ENVELOPE_BYTES, budget / 2));
  }

  void frame(WebSocketFrame frame) {
    reader.frame(frame);
  }

  /** The socket is gone: what a message in progress holds is let go. */
  void close() {
    reader.close();
  }

  /** A whole message; its {@code reserved} budget bytes are released once it is answered. */
  private void onText(Buffer message, long reserved) {
    if (connection.isClosed()) {
      bodyBudget.release(reserved);
      return;
    }
    // checked as strict UTF-8 (a lenient decoder would turn bad bytes into U+FFFD, and the request would be
    // applied altered), then streamed and validated on the way; a large one on a worker, results in order
    decoder.submit(message.length(), () -> WireReader.clientFrame(message), read -> onFrame(read, reserved));
  }

  private void onFrame(AsyncResult<WireReader.Frame> read, long reserved) {
    if (connection.isClosed()) { // closed while it was read on a worker
      bodyBudget.release(reserved);
      return;
    }
    if (read.failed()) {
      bodyBudget.release(reserved);
      refuse(read.cause() instanceof InvalidChangeException e ? new HttpError(400, "invalid_json", e.getMessage())
        : new HttpError(503, "unavailable", String.valueOf(read.cause().getMessage())));
      return;
    }
    WireReader.Frame frame = read.result();
    Object id = frame.fields().getValue("id");
    HttpError refused = null;
    if (id != null && !(id instanceof Integer || id instanceof Long || id instanceof String s && s.length() <= 64)) {
      id = null;
      refused = new HttpError(400, "invalid_request", "id must be an integer or a short string", "id");
    } else if (!"sync".equals(frame.fields().getValue("type"))) {
      refused = new HttpError(400, "invalid_request", "unknown frame type " + dev.tide.core.SyncProtocol.shown(frame.fields().getValue("type")), "type");
    } else if (frame.request() == null && frame.invalid() == null) {
      refused = new HttpError(400, "invalid_request", "request must be a sync request object", "request");
    }
    if (refused != null) { // refusals are answered in turn too, holding no budget
      bodyBudget.release(reserved);
      connection.enqueue(new Request(id, null, refused, 0));
      return;
    }
    connection.enqueue(new Request(id, frame.request(),
      frame.invalid() == null ? null : SyncHandler.refusal(frame.invalid()), reserved));
  }

  /**
   * The message reader's refusal of a message: after the messages before it, a large one of which may
   * still be decoding on a worker (it would otherwise be queued, and answered, first).
   */
  private void refuseInTurn(HttpError e) {
    decoder.submit(0, () -> e, ar -> refuse(ar.result()));
  }

  /**
   * A refusal of a message that could not be read as a request (unreadable, too many bytes at once, not
   * UTF-8): answered in turn like any request, after those before it (with no id, a client that sends
   * several at once matches answers by order).
   */
  private void refuse(HttpError e) {
    if (!connection.isClosed()) {
      connection.enqueue(new Request(null, null, e, 0));
    }
  }
}

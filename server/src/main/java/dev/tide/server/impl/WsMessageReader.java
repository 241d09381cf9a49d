package dev.tide.server.impl;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Joins a WebSocket's text frames into messages, holding their bytes against the server-wide
 * {@link BodyBudget} that HTTP bodies use (Vert.x's own joining would hold up to the message limit per
 * socket, outside any shared budget). A message that finds the budget spent is dropped as it arrives
 * and refused; one over the size limit ends the socket. A message must be finished within the budget's
 * receive timeout (pongs keep a socket open, so an unfinished message would otherwise hold its bytes for
 * ever). Confined to the connection's context.
 */
final class WsMessageReader {

  /** What the connection does with each outcome. */
  interface Sink {
    /**
     * A whole text message, its UTF-8 bytes not yet checked (that is the frame's reader's job, off the
     * event loop for a large one); its {@code reserved} bytes stay taken until the sink releases them.
     */
    void message(Buffer message, long reserved);

    /** A message was dropped because the budget was spent. */
    void busy();

    /** A message went over the size limit (nothing of it is held any more). */
    void tooBig();

    /** A binary message began. */
    void binary();

    /**
     * A message was not finished within the receive timeout: what had arrived is let go and the rest of
     * it is ignored.
     */
    void timedOut();
  }

  private final BodyBudget budget;
  private final long maxBytes;
  private final Sink sink;
  private Buffer receiving;
  private long reserved;
  private boolean inMessage;
  private boolean dropping;
  private boolean closed;
  private Vertx vertx;
  private long deadline = -1;

  WsMessageReader(BodyBudget budget, long maxBytes, Sink sink) {
    this.budget = budget;
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  void frame(WebSocketFrame frame) {
    if (closed) {
      return; // frames the socket had paused can arrive after its close handler: nothing would release them
    }
    if (frame.isBinary()) {
      release();
      sink.binary();
      return;
    }
    if (frame.isText()) {
      release(); // a new message (a well-formed peer has finished the previous one)
      inMessage = true;
      dropping = false;
      receiving = Buffer.buffer();
    } else if (!frame.isContinuation() || !inMessage) {
      return; // ping, pong and close are Vert.x's to handle
    }
    Buffer data = frame.binaryData();
    if (!dropping) {
      if ((long) receiving.length() + data.length() > maxBytes) {
        release();
        inMessage = false;
        sink.tooBig();
        return;
      }
      if (budget.reserve(data.length())) {
        reserved += data.length();
        receiving.appendBuffer(data);
      } else {
        release();
        dropping = true;
      }
    }
    if (!frame.isFinal()) {
      if (frame.isText() && !dropping) {
        startDeadline(); // a message in several frames: it must be finished within the receive timeout
      }
      return;
    }
    inMessage = false;
    if (dropping) {
      dropping = false;
      sink.busy();
      return;
    }
    // the bytes, not a String decoded from them: that took up to twice the budgeted bytes again (UTF-16
    // once a char is outside Latin-1) on top of the documents read out of it, and a heap ran out
    cancelDeadline();
    Buffer message = receiving; // read in place by the sink, not copied out (two 16 MiB copies ran a small heap out)
    long taken = reserved;
    receiving = null;
    reserved = 0;
    sink.message(message, taken);
  }

  /** The socket closed: lets go of a message in progress and ignores any frame delivered later. */
  void close() {
    closed = true;
    release();
  }

  /** Lets go of a message in progress (it was given up). */
  private void release() {
    cancelDeadline();
    budget.release(reserved);
    reserved = 0;
    receiving = null;
  }

  private void startDeadline() {
    Context context = Vertx.currentContext(); // the connection's: frames are delivered on it, so is the timer
    if (context != null) {
      vertx = context.owner();
      deadline = vertx.setTimer(budget.receiveTimeoutMillis(), id -> {
        if (id == deadline) {
          expired();
        }
      });
    }
  }

  private void cancelDeadline() {
    if (deadline >= 0) {
      vertx.cancelTimer(deadline);
      deadline = -1;
    }
  }

  /** The message in progress was not finished in time: its bytes are let go and its remaining frames ignored. */
  private void expired() {
    deadline = -1;
    if (closed || !inMessage) {
      return;
    }
    release();
    inMessage = false;
    dropping = false;
    sink.timedOut();
  }
}

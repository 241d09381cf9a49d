package dev.tide.transport.websocket;

import io.vertx.core.http.WebSocketFrame;

/**
 * What a socket last did, for two different questions. Is the peer alive (heartbeat)? Any frame
 * received counts, pongs too, and frames of ours taken by the network. Is an answer coming (request
 * timer)? Only data: a data frame received, or one of ours taken; a server that never answers keeps
 * answering pings. On a slow link a large message takes long, and each frame of it is progress.
 * Confined to the transport's context.
 */
final class Liveness {

  private long lastHeard; // the last frame received, any kind
  private long lastDataHeard; // the last data frame received (text, continuation)
  private long lastProgress; // the last frame of ours handed to the OS

  /** A new socket, or a new request: counts as activity now. */
  void reset() {
    long now = System.currentTimeMillis();
    lastHeard = now;
    lastProgress = now;
  }

  void received(WebSocketFrame frame) {
    lastHeard = System.currentTimeMillis();
    if (frame.isText() || frame.isContinuation() || frame.isBinary()) {
      lastDataHeard = lastHeard;
    }
  }

  void pong() {
    lastHeard = System.currentTimeMillis();
  }

  /** One of our frames was handed to the OS: the peer is taking bytes. */
  void progressed() {
    lastProgress = System.currentTimeMillis();
  }

  /** The last sign of life either way, control frames included (for the heartbeat). */
  long lastActive() {
    return Math.max(lastHeard, lastProgress);
  }

  /** The last data moved either way (for the request timer). */
  long lastData() {
    return Math.max(lastDataHeard, lastProgress);
  }
}

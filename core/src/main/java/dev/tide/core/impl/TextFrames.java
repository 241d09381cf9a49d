package dev.tide.core.impl;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;

/**
 * Writes a WebSocket text message as frames of at most 16K chars (48 KiB of UTF-8, under the 64 KiB
 * frame limit), and says when each frame has been handed to the OS. On a slow link a large message takes
 * long to send; each frame written is progress, which tells a live but slow peer from a dead one (a
 * dead peer stops taking bytes). Vert.x's own split writes the same frames but gives one future for all.
 * All frames are queued at once, so no other message's frames can come between them.
 */
public final class TextFrames {

  static final int FRAME_CHARS = 16 * 1024;

  private TextFrames() {
  }

  /** Writes {@code text}; {@code progress} runs on the socket's context as each frame is written. */
  public static Future<Void> write(WebSocketBase ws, String text, Runnable progress) {
    if (text.length() <= FRAME_CHARS) {
      return ws.writeTextMessage(text).onSuccess(v -> progress.run());
    }
    Future<Void> last = null;
    int from = 0;
    while (from < text.length()) {
      int to = Math.min(text.length(), from + FRAME_CHARS);
      if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
        to--; // a surrogate pair stays in one frame: each frame is whole UTF-8
      }
      String part = text.substring(from, to);
      boolean end = to == text.length();
      WebSocketFrame frame = from == 0 ? WebSocketFrame.textFrame(part, false) : WebSocketFrame.continuationFrame(Buffer.buffer(part), end);
      last = ws.writeFrame(frame).onSuccess(v -> progress.run());
      from = to;
    }
    return last;
  }
}

package dev.tide.transport.websocket;

import dev.tide.core.impl.Utf8;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.util.function.Consumer;

/**
 * Joins one socket's text frames into messages, decoded strictly as UTF-8. Vert.x's own message handler
 * decodes bytes that are not UTF-8 as U+FFFD (a document would be applied altered) and only closes the
 * socket on a binary frame (no protocol error, so no backoff).
 */
final class TextMessageJoiner {

  private final long maxBytes;
  private final Consumer<String> messages;
  private final Consumer<String> protocolErrors;
  private final Runnable tooLarge;
  private Buffer message; // the text message arriving, from its second frame on

  /**
   * @param protocolErrors gets why the server broke the protocol (a binary frame, bytes that are not UTF-8)
   * @param tooLarge       runs for a message over {@code maxBytes}
   */
  TextMessageJoiner(long maxBytes, Consumer<String> messages, Consumer<String> protocolErrors, Runnable tooLarge) {
    this.maxBytes = maxBytes;
    this.messages = messages;
    this.protocolErrors = protocolErrors;
    this.tooLarge = tooLarge;
  }

  void frame(WebSocketFrame frame) {
    if (frame.isBinary()) {
      message = null;
      protocolErrors.accept("binary frame from the server: its messages are text");
      return;
    }
    if (!frame.isText() && !(frame.isContinuation() && message != null)) {
      return; // ping, pong and close are Vert.x's to answer
    }
    Buffer data = frame.binaryData();
    if (frame.isText() && frame.isFinal()) {
      message = null;
      deliver(data); // a message of one frame (most of them): no copy
      return;
    }
    if (frame.isText()) {
      message = Buffer.buffer();
    }
    if ((long) message.length() + data.length() > maxBytes) {
      message = null;
      tooLarge.run();
      return;
    }
    message.appendBuffer(data);
    if (frame.isFinal()) {
      Buffer whole = message;
      message = null;
      deliver(whole);
    }
  }

  private void deliver(Buffer bytes) {
    String text = Utf8.decode(bytes);
    if (text == null) {
      protocolErrors.accept("a text message from the server that is not UTF-8");
    } else {
      messages.accept(text);
    }
  }
}

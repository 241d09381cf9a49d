package dev.tide.transport.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Collects a response body up to a limit: a server or proxy that sends more makes the exchange fail
 * (like a lost connection, retried with backoff) instead of filling the client's heap.
 */
final class ResponseBody implements WriteStream<Buffer> {

  private final long maxBytes;
  private final Buffer body = Buffer.buffer();

  ResponseBody(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  Buffer body() {
    return body;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if ((long) body.length() + data.length() > maxBytes) {
      return Future.failedFuture(new VertxException("response body over " + maxBytes + " bytes", true));
    }
    body.appendBuffer(data);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> end() {
    return Future.succeededFuture();
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    return this;
  }
}

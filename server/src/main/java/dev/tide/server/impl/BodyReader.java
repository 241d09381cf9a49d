package dev.tide.server.impl;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a {@code POST /sync} body into memory, taking its bytes from the server-wide {@link BodyBudget}
 * as they arrive, not as the Content-Length announces them (a client that announces 16 MiB and sends
 * nothing holds nothing). Refuses with 413 past the body limit, 429 when the budget is spent, and 408
 * when the body has not arrived whole within the budget's receive timeout (then the body is cut off: the
 * client is still sending; so is one still sending a body refused on the way at that time). Over HTTP/1.x
 * that closes the connection; over HTTP/2 it resets the request's stream only.
 * The bytes stay taken until the response ends or the connection closes; the body is then
 * {@link #body(RoutingContext)}. Runs on the request's context.
 */
final class BodyReader implements Handler<RoutingContext> {

  private static final String BODY = "tide.body";
  private static final String RECEIVING = "tide.receiving"; // a body on its way in: it has its own deadline

  private final BodyBudget budget;
  private final long limit;

  /** @param limit the largest body (413 past it) */
  BodyReader(BodyBudget budget, long limit) {
    this.budget = budget;
    this.limit = limit;
  }

  /** The body read for this request. */
  static Buffer body(RoutingContext ctx) {
    return ctx.get(BODY);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    long announced = -1; // unknown (chunked)
    if (length != null) {
      try {
        announced = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        announced = Long.MIN_VALUE;
      }
      if (announced < 0) {
        ctx.fail(new HttpError(400, "invalid_request", "malformed Content-Length"));
        return;
      }
      if (announced > limit) {
        ctx.fail(new HttpError(413, "too_large", "request body is larger than the server accepts"));
        return;
      }
      if (announced > budget.available()) { // would be refused on the way: say so before it is sent (nothing is taken)
        ctx.response().putHeader("Retry-After", "1");
        ctx.fail(HttpError.busy());
        return;
      }
    }
    if (request.isEnded()) { // no body, or an application's BodyHandler before the mounted router read it
      Buffer read = ctx.body().buffer();
      if (read != null && read.length() > limit) { // read whole by the application: its length was not announced
        ctx.fail(new HttpError(413, "too_large", "request body is larger than the server accepts"));
        return;
      }
      ctx.put(BODY, read != null ? read : Buffer.buffer());
      ctx.next();
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT)) && request.version() != HttpVersion.HTTP_1_0) {
      ctx.response().writeContinue(); // the checks passed: the client may send its body (HTTP/1.1, or HTTP/2's interim HEADERS)
    }
    new Receiving(ctx, announced).start();
  }

  /**
   * A request refused before its body was read whole (401, 415, an announced 413 or 429; a failure of an
   * application's route under the mount): its body is read and dropped, and if its client is still sending
   * at the receive deadline, it is cut off as one refused on the way is. Without it, a client that kept
   * trickling after its answer would hold its connection (HTTP/1.x) or stream (HTTP/2) for good. An HTTP/1.1
   * client that expected 100-continue and was never told to go on may not send its body at all, so its
   * connection closes with the answer ({@code Connection: close}) rather than wait for a body that is not coming.
   */
  static void refusedBeforeRead(RoutingContext ctx, long receiveTimeoutMillis) {
    HttpServerRequest request = ctx.request();
    request.resume(); // paused for the authenticator: the refused body is read and dropped
    if (request.isEnded() || ctx.get(RECEIVING) != null) {
      return;
    }
    if (request.version() != HttpVersion.HTTP_2
      && "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      // never told to go on, its client may well not send the body (RFC 9110, 10.1.1): bytes it sends next
      // would be read as that body. The connection ends with this answer, and the client knows it will.
      // Vert.x keeps an HTTP/1.1 connection alive unless the request asked for close: ended here, by hand.
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      ctx.addEndHandler(ar -> request.connection().close());
      return; // the connection's end is its cut-off
    }
    long timer = ctx.vertx().setTimer(receiveTimeoutMillis, id -> {
      if (!request.isEnded()) {
        HttpError.abort(request);
      }
    });
    ctx.addEndHandler(ar -> {
      if (ar.failed()) {
        ctx.vertx().cancelTimer(timer); // the connection is gone: nothing is left to cut off
      }
    });
    request.endHandler(v -> ctx.vertx().cancelTimer(timer));
  }

  /** One body on its way in. */
  private final class Receiving {

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private Buffer body;
    private long reserved;
    private boolean refused;
    private long deadline = -1;

    Receiving(RoutingContext ctx, long announced) {
      this.ctx = ctx;
      this.request = ctx.request();
      // grows as bytes arrive: an announced length is not allocated before it is sent
      this.body = Buffer.buffer((int) Math.min(announced < 0 ? 1024 : announced, 64 * 1024));
    }

    void start() {
      ctx.put(RECEIVING, Boolean.TRUE);
      ctx.addEndHandler(ar -> {
        // answered (perhaps by an application's handler, e.g. its TimeoutHandler, with the body still arriving),
        // or the connection closed: the bytes are free, and what still arrives is dropped, not taken or exchanged
        refused = true;
        releaseBody();
        if (ar.failed()) {
          cancelDeadline(); // the connection is gone: nothing is left to cut off
        }
      });
      deadline = ctx.vertx().setTimer(budget.receiveTimeoutMillis(), id -> expired());
      request.handler(this::chunk).endHandler(v -> end()).resume();
    }

    private void chunk(Buffer data) {
      if (refused) {
        return; // answered already (or the response ended): the rest is read and dropped
      }
      if ((long) body.length() + data.length() > limit) {
        refuse(new HttpError(413, "too_large", "request body is larger than the server accepts"));
      } else if (!budget.reserve(data.length())) {
        ctx.response().putHeader("Retry-After", "1");
        refuse(HttpError.busy());
      } else {
        reserved += data.length();
        body.appendBuffer(data);
      }
    }

    private void end() {
      cancelDeadline();
      if (!refused) {
        ctx.put(BODY, body);
        body = null; // held by the context until the response ends (its bytes stay reserved until then)
        ctx.next();
      }
    }

    /** The deadline passed with the body still arriving (the deadline is cancelled once it has all arrived). */
    private void expired() {
      deadline = -1;
      if (request.isEnded()) {
        return;
      }
      if (refused) { // refused (413, 429) while it arrived, and it is still sending: cut it off after its answer
        HttpError.abort(request);
        return;
      }
      releaseBody();
      refused = true;
      HttpError timeout = new HttpError(408, "timeout", "the request body did not arrive within "
        + budget.receiveTimeoutMillis() / 1000 + " s");
      if (request.version() != HttpVersion.HTTP_2) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      // answered here, not through the failure handler: the body is cut off once the answer is written
      timeout.send(ctx).onComplete(ar -> HttpError.abort(request));
    }

    private void refuse(HttpError error) {
      releaseBody(); // free at once, not when the answer is written
      refused = true;
      ctx.fail(error);
    }

    private void releaseBody() {
      budget.release(reserved);
      reserved = 0;
      body = null;
    }

    private void cancelDeadline() {
      if (deadline >= 0) {
        ctx.vertx().cancelTimer(deadline);
        deadline = -1;
      }
    }
  }
}

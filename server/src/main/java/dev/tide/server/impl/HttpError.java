package dev.tide.server.impl;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A refusal with an HTTP status and the protocol's error body
 * {@code {"error":{"code":"...","message":"...","field":"..."}}}. Thrown (or failed with) inside
 * handlers; the router's failure handler writes it.
 */
final class HttpError extends RuntimeException {

  // RST_STREAM error codes (RFC 9113, section 7)
  private static final long NO_ERROR = 0;
  private static final long INTERNAL_ERROR = 2;

  final int status;
  final String code;
  final String field;
  final String reason;

  HttpError(int status, String code, String message, String field) {
    this(status, code, message, field, null);
  }

  /** @param reason a finer machine code (e.g. why a reset is required), or null */
  HttpError(int status, String code, String message, String field, String reason) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
    this.reason = reason;
  }

  HttpError(int status, String code, String message) {
    this(status, code, message, null);
  }

  /** The server-wide budget of request bytes in memory is spent (429): retry shortly. */
  static HttpError busy() {
    return new HttpError(429, "busy", "the server is receiving too much data at once: retry shortly");
  }

  JsonObject body() {
    JsonObject error = new JsonObject().put("code", code).put("message", getMessage());
    if (field != null) {
      error.put("field", field);
    }
    if (reason != null) {
      error.put("reason", reason);
    }
    return new JsonObject().put("error", error);
  }

  /**
   * Writes this error as the response; completes once it is written. If the head is already out (an
   * application's route under the mount failed mid-response), the request is {@link #abort aborted} instead.
   */
  Future<Void> send(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      return abort(ctx.request());
    }
    if (status == 405 && response.headers().get("Allow") == null) { // tide's routes set it; a guess for other 405s
      String path = ctx.request().path();
      response.putHeader("Allow", path.endsWith("/health") || path.endsWith("/ws") ? "GET" : "POST");
    }
    return response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body().toBuffer());
  }

  /**
   * Stops one request that cannot be answered (further). HTTP/1.x can only close the connection. HTTP/2
   * resets just this stream, since its connection carries the client's other streams: NO_ERROR after a
   * complete answer (RFC 9113, section 8.1: the client stops sending its body), INTERNAL_ERROR when the
   * answer is cut short, so the client does not take the part it got for a whole one.
   */
  static Future<Void> abort(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_2) {
      return request.connection().close();
    }
    HttpServerResponse response = request.response();
    return response.reset(response.ended() ? NO_ERROR : INTERNAL_ERROR);
  }

  /** Maps a failed routing context (ours, Vert.x Web's status-only failures, or a bug) to an error. */
  static HttpError of(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpError e) {
      return e;
    }
    if (failure instanceof dev.tide.core.StoreException) {
      return new HttpError(503, "unavailable", "the store is unavailable: " + failure.getMessage());
    }
    return switch (ctx.statusCode()) {
      case 413 -> new HttpError(413, "too_large", "request body is larger than the server accepts");
      case 400 -> new HttpError(400, "invalid_request", "malformed request");
      case 401 -> new HttpError(401, "unauthorized", "authentication required");
      case 404 -> new HttpError(404, "not_found", "no such endpoint");
      case 405 -> new HttpError(405, "method_not_allowed", "method not allowed");
      case 415 -> new HttpError(415, "unsupported_media_type", "Content-Type must be application/json");
      case 403 -> new HttpError(403, "forbidden", "forbidden");
      case 408 -> new HttpError(408, "timeout", "the request timed out");
      case 429 -> new HttpError(429, "busy", "too many requests: retry shortly");
      case 503 -> new HttpError(503, "unavailable", "service unavailable");
      // another status an application's route under the mount failed with (ctx.fail(status)): kept, not a 500
      default -> ctx.statusCode() >= 400 && ctx.statusCode() <= 599 && ctx.statusCode() != 500
        ? new HttpError(ctx.statusCode(), "http_" + ctx.statusCode(),
          HttpResponseStatus.valueOf(ctx.statusCode()).reasonPhrase())
        : new HttpError(500, "internal_error", "internal error");
    };
  }
}

package dev.tide.transport.http;

import dev.tide.core.HeadersProvider;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.OffLoopDecoder;
import dev.tide.core.impl.RequestHeaders;
import dev.tide.core.impl.RequestNotSentException;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncUrls;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Sync exchanges as {@code POST <url>} with a JSON body (PROTOCOL.md, section 3), on the Vert.x HTTP
 * client. Headers are the static ones from {@link SyncOptions} merged with the
 * {@link HeadersProvider}'s, fetched for every exchange; after a 401 the provider is asked again (a
 * refresh) and the exchange retried once. An exchange fails after {@code requestTimeoutMs} without
 * progress either way (no part of the body taken, no part of the answer received), not after a fixed
 * time: a large push or page on a slow link keeps going.
 */
public final class HttpSyncTransport implements SyncTransport {

  /** The body is written in parts of this size: each part taken by the OS is progress. */
  static final int BODY_PART_BYTES = 64 * 1024;

  private final HttpClient client; // kept in a field: Vert.x 5 closes unreachable clients
  private final SyncOptions options;
  private final String url; // the same url as over WebSocket
  private final String basicAuthorization; // the url's user info, or null
  private final Vertx vertx;
  private final LongSupplier nanos; // the monotonic clock silence is measured with: System::nanoTime, or a test's
  private final Set<Promise<SyncResponse>> inFlight = ConcurrentHashMap.newKeySet(); // failed by close()
  private volatile boolean closed;
  private final io.vertx.core.net.ClientSSLOptions ssl; // for an https url

  HttpSyncTransport(Vertx vertx, SyncOptions options, LongSupplier nanos) {
    this.vertx = vertx;
    this.nanos = nanos;
    this.options = new SyncOptions(options);
    this.url = SyncUrls.http(options.getUrl());
    this.basicAuthorization = SyncUrls.basicAuthorization(options.getUrl());
    this.ssl = dev.tide.core.impl.SslOptionsJson.forTransport(options.getSslOptions(), options.getRequestTimeoutMs());
    this.client = vertx.createHttpClient(new HttpClientOptions()
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getRequestTimeoutMs()))
      .setKeepAlive(true));
  }

  public static HttpSyncTransport create(Vertx vertx, SyncOptions options) {
    if (options.getUrl() == null) {
      throw new IllegalArgumentException("SyncOptions.url is required");
    }
    return new HttpSyncTransport(vertx, options, System::nanoTime);
  }

  @Override
  public Future<SyncResponse> exchange(SyncRequest request) {
    if (closed) {
      return Future.failedFuture(new VertxException("transport closed", true));
    }
    Promise<SyncResponse> result = Promise.promise();
    inFlight.add(result);
    result.future().onComplete(x -> inFlight.remove(result));
    Buffer body = request.toBuffer();
    headers(false).transform(HttpSyncTransport::notSentIfFailed).compose(h -> post(body, h)).compose(response -> {
      if (response.status() != 401 || options.getHeadersProvider() == null) {
        return decode(response);
      }
      return headers(true).transform(HttpSyncTransport::notSentIfFailed) // refreshed credentials, once
        .compose(h -> post(body, h)).compose(this::decode);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  private Future<MultiMap> headers(boolean refresh) {
    return RequestHeaders.resolve(vertx, options, refresh, basicAuthorization);
  }

  /** A response as received: its body is at most {@link SyncProtocol#MAX_MESSAGE_BYTES}, else the post fails. */
  private record Received(int status, String statusMessage, String retryAfter, Buffer body) {
  }

  private Future<Received> post(Buffer body, MultiMap headers) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
      .setSslOptions(ssl)
      .setHeaders(headers)
      .putHeader("Content-Type", "application/json")
      .putHeader("Accept", "application/json")
      .putHeader("User-Agent", "tide-http/" + SyncProtocol.VERSION)
      .putHeader("Content-Length", String.valueOf(body.length()));
    return client.request(request).transform(HttpSyncTransport::notSentIfFailed).compose(req -> {
      Promise<Received> received = Promise.promise();
      Progress progress = new Progress(req, received);
      req.response().onFailure(received::tryFail).onSuccess(response -> {
        Buffer answer = Buffer.buffer();
        response.handler(part -> {
          progress.made();
          if ((long) answer.length() + part.length() > SyncProtocol.MAX_MESSAGE_BYTES) {
            progress.abort(new VertxException("response body over " + SyncProtocol.MAX_MESSAGE_BYTES + " bytes", true));
          } else {
            answer.appendBuffer(part);
          }
        });
        response.exceptionHandler(received::tryFail);
        response.endHandler(v -> received.tryComplete(new Received(response.statusCode(), response.statusMessage(),
          response.getHeader("Retry-After"), answer)));
      });
      for (int from = 0; from < body.length(); from += BODY_PART_BYTES) {
        req.write(body.slice(from, Math.min(body.length(), from + BODY_PART_BYTES))).onSuccess(v -> progress.made());
      }
      req.end().onFailure(received::tryFail);
      return received.future();
    });
  }

  /** No headers, no connection: nothing of the request left, so nothing was lost (the exchange size stays). */
  private static <T> Future<T> notSentIfFailed(io.vertx.core.AsyncResult<T> ar) {
    return ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(RequestNotSentException.of(ar.cause()));
  }

  /**
   * Aborts a request after {@code requestTimeoutMs} without progress either way, on the monotonic clock:
   * on the wall clock, a step back (NTP) would hide a dead exchange for as long as the step, and a step
   * forward would cut a live one.
   */
  private final class Progress {
    private final HttpClientRequest request;
    private final Promise<Received> received;
    private final long timeoutMs = options.getRequestTimeoutMs();
    private volatile long last = nanos.getAsLong();

    private long timer = -1;

    Progress(HttpClientRequest request, Promise<Received> received) {
      this.request = request;
      this.received = received;
      received.future().onComplete(x -> vertx.cancelTimer(timer));
      arm(timeoutMs);
    }

    void made() {
      last = nanos.getAsLong();
    }

    private void arm(long delayMs) {
      timer = vertx.setTimer(Math.max(1, delayMs), t -> {
        long silent = TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - last);
        if (received.future().isComplete()) {
          return;
        }
        if (silent < timeoutMs) {
          arm(timeoutMs - silent);
        } else {
          abort(new VertxException("no progress for " + timeoutMs + " ms on POST " + url, true));
        }
      });
    }

    void abort(Throwable cause) {
      if (received.tryFail(cause)) {
        request.reset(0, cause); // the connection is not reused: a late answer could not be told apart
      }
    }
  }

  private Future<SyncResponse> decode(Received response) {
    Buffer body = response.body();
    try {
      if (response.status() == 200) { // a large page is read on a worker: the app's event loop goes on meanwhile
        return OffLoopDecoder.decode(vertx, body.length(), () -> SyncResponse.fromBuffer(body))
          .recover(e -> Future.failedFuture(e instanceof InvalidChangeException bad
            ? SyncException.protocolError("malformed response body from the server: " + bad.getMessage()) : e));
      }
      return Future.failedFuture(error(response.status(), response.statusMessage(), retryAfterSeconds(response.retryAfter()), body));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The server's {@code {"error":{...}}} body as an exception (or a generic one for a foreign body). */
  static SyncException error(int status, String statusMessage, long retryAfterSeconds, Buffer body) {
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      if (error != null && error.getValue("code") instanceof String code) {
        return new SyncException(status, code, String.valueOf(error.getValue("message")),
          error.getValue("field") instanceof String f ? f : null, error.getValue("reason") instanceof String r ? r : null,
          retryAfterSeconds);
      }
    } catch (RuntimeException notJson) {
      // a proxy or a foreign server answered
    }
    return new SyncException(status, "http_" + status, statusMessage, null, null, retryAfterSeconds);
  }

  /** {@code Retry-After} in seconds (the HTTP-date form is not used by tide servers), or -1. */
  static long retryAfterSeconds(String header) {
    try {
      return header == null ? -1 : Math.max(0, Long.parseLong(header.trim()));
    } catch (NumberFormatException notSeconds) {
      return -1;
    }
  }

  @Override
  public Future<Void> close() {
    closed = true;
    client.close();
    // an exchange still waiting for its headers holds no request the client could fail
    inFlight.forEach(p -> p.tryFail(new VertxException("transport closed", true)));
    return Future.succeededFuture();
  }
}

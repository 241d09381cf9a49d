package dev.tide.transport.http;

import dev.tide.core.HeadersProvider;
import dev.tide.core.SyncException;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.OffLoopDecoder;
import dev.tide.core.spi.SyncTransport;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;

import java.util.Map;

/**
 * Sync exchanges as {@code POST <url>} with a JSON body (PROTOCOL.md, section 3), on Vert.x Web
 * Client. Headers are the static ones from {@link SyncOptions} merged with the
 * {@link HeadersProvider}'s, fetched for every exchange; after a 401 the provider is asked again (a
 * refresh) and the exchange retried once.
 */
public final class HttpSyncTransport implements SyncTransport {

  private final WebClient client; // kept in a field: Vert.x 5 closes unreachable clients
  private final SyncOptions options;
  private final Vertx vertx;

  private HttpSyncTransport(Vertx vertx, SyncOptions options) {
    this.vertx = vertx;
    this.options = new SyncOptions(options);
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.getRequestTimeoutMs()))
      .setKeepAlive(true)
      .setUserAgent("tide-http/" + SyncProtocol.VERSION));
  }

  public static HttpSyncTransport create(Vertx vertx, SyncOptions options) {
    if (options.getUrl() == null) {
      throw new IllegalArgumentException("SyncOptions.url is required");
    }
    return new HttpSyncTransport(vertx, options);
  }

  @Override
  public Future<SyncResponse> exchange(SyncRequest request) {
    Buffer body = request.toBuffer();
    return headers(false).compose(h -> post(body, h)).compose(response -> {
      if (response.status() != 401 || options.getHeadersProvider() == null) {
        return decode(response);
      }
      return headers(true).compose(h -> post(body, h)).compose(this::decode); // refreshed credentials, once
    });
  }

  private Future<MultiMap> headers(boolean refresh) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(options.getHeaders());
    HeadersProvider provider = options.getHeadersProvider();
    if (provider == null) {
      return Future.succeededFuture(headers);
    }
    Future<Map<String, String>> supplied;
    try {
      supplied = refresh ? provider.refreshed() : provider.headers();
    } catch (RuntimeException e) {
      supplied = Future.failedFuture(e);
    }
    return supplied.map(h -> headers.addAll(h));
  }

  /** A response as received: its body is at most {@link SyncProtocol#MAX_MESSAGE_BYTES}, else the post fails. */
  private record Received(int status, String statusMessage, Buffer body) {
  }

  private Future<Received> post(Buffer body, MultiMap headers) {
    ResponseBody received = new ResponseBody(SyncProtocol.MAX_MESSAGE_BYTES);
    return client.postAbs(options.getUrl())
      .timeout(options.getRequestTimeoutMs())
      .putHeaders(headers)
      .putHeader("Content-Type", "application/json")
      .putHeader("Accept", "application/json")
      .as(BodyCodec.pipe(received, false))
      .sendBuffer(body)
      .map(r -> new Received(r.statusCode(), r.statusMessage(), received.body()));
  }

  private Future<SyncResponse> decode(Received response) {
    Buffer body = response.body();
    try {
      if (response.status() == 200) { // a large page is read on a worker: the app's event loop goes on meanwhile
        return OffLoopDecoder.decode(vertx, body.length(), () -> SyncResponse.fromBuffer(body));
      }
      return Future.failedFuture(error(response.status(), response.statusMessage(), body));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** The server's {@code {"error":{...}}} body as an exception (or a generic one for a foreign body). */
  static SyncException error(int status, String statusMessage, Buffer body) {
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      if (error != null && error.getValue("code") instanceof String code) {
        return new SyncException(status, code, String.valueOf(error.getValue("message")),
          error.getValue("field") instanceof String f ? f : null, error.getValue("reason") instanceof String r ? r : null);
      }
    } catch (RuntimeException notJson) {
      // a proxy or a foreign server answered
    }
    return new SyncException(status, "http_" + status, statusMessage, null);
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}

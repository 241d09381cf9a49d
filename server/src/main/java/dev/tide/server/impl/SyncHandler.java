package dev.tide.server.impl;

import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * One exchange, transport-independent (HTTP and WebSocket both use it): validate the whole request,
 * push its ops in one transaction, then read the changes due after its cursor. Every refusal is an
 * {@link HttpError}; nothing is written unless the whole request is valid.
 */
final class SyncHandler {

  private final TideServerOptions options;
  private final ServerStore store;

  SyncHandler(TideServerOptions options, ServerStore store) {
    this.options = options;
    this.store = store;
  }

  /** Parses and validates a body; throws {@link HttpError}. */
  SyncRequest parse(Buffer body) {
    SyncRequest request;
    try {
      request = SyncRequest.fromJson(SyncProtocol.parseObject(body));
    } catch (SyncProtocol.UnsupportedProtocolException e) {
      throw new HttpError(400, "unsupported_protocol", e.getMessage(), e.field());
    } catch (InvalidChangeException e) {
      String code = "body".equals(e.field()) ? "invalid_json" : "invalid_request";
      throw new HttpError(400, code, e.getMessage(), "body".equals(e.field()) ? null : e.field());
    }
    if (request.ops().size() > options.getMaxOpsPerRequest()) {
      throw new HttpError(413, "too_large", "at most " + options.getMaxOpsPerRequest() + " ops per request", "ops");
    }
    if (options.getMaxDocumentBytes() < TideServerOptions.DEFAULT_MAX_DOCUMENT_BYTES) {
      for (int i = 0; i < request.ops().size(); i++) {
        var doc = request.ops().get(i).doc();
        if (doc != null && doc.toBuffer().length() > options.getMaxDocumentBytes()) {
          throw new HttpError(400, "invalid_request", "ops[" + i + "].doc: is larger than this server's limit of "
            + options.getMaxDocumentBytes() + " bytes", "ops[" + i + "].doc");
        }
      }
    }
    return request;
  }

  /** Runs a validated request for a namespace; completes with the response body. */
  Future<Buffer> exchange(String namespace, SyncRequest request) {
    long afterSeq;
    try {
      afterSeq = Cursors.parse(request.cursor(), store.epoch(), store.lastSeq());
    } catch (HttpError e) {
      return Future.failedFuture(e);
    }
    int limit = request.limit() == null ? options.getDefaultLimit() : Math.min(request.limit(), options.getMaxLimit());
    return store.push(namespace, request.ops())
      .compose(results -> store.pull(namespace, afterSeq, request.nodeId(), limit, options.getMaxResponseBytes())
        .map(page -> respond(page, results)));
  }

  private Buffer respond(PullPage page, java.util.List<dev.tide.core.OpResult> results) {
    long remaining = page.more() ? Math.max(0, store.lastSeq() - page.lastSeq()) : 0;
    return ResponseWriter.write(Cursors.format(store.epoch(), page.lastSeq()), page.changes(), page.more(), results, remaining);
  }
}

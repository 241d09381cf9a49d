package dev.tide.server.impl;

import dev.tide.core.ChangeCodec;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.StoredChange;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;


import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One exchange, transport-independent (HTTP and WebSocket both use it): validate the whole request,
 * push its ops in one transaction, then read the changes due after its cursor. Every refusal is an
 * {@link HttpError}; nothing is written unless the whole request is valid.
 * <p>
 * A pull from the position just before the latest commit is answered from what that commit wrote
 * ({@link CommittedChanges}): the pushing client's own exchange and live pushes to clients that were
 * caught up then cost no read of the store (and no thread hand-off for it).
 */
final class SyncHandler {

  private final TideServerOptions options;
  private final ServerStore store;
  private final Runnable unsubscribe;
  private volatile CommittedChanges latest;

  SyncHandler(TideServerOptions options, ServerStore store) {
    this.options = options;
    this.store = store;
    this.unsubscribe = store.signal().subscribe(c -> latest = c);
  }

  void close() {
    unsubscribe.run();
  }

  /** Reads and validates a body (streamed: documents keep the text they arrived as); throws {@link HttpError}. */
  SyncRequest parse(Buffer body) {
    SyncRequest request;
    try {
      request = SyncRequest.fromBuffer(body);
    } catch (InvalidChangeException e) {
      throw refusal(e);
    }
    return checkLimits(request);
  }

  /** The error a request that failed validation gets (bad JSON, an unknown protocol, a bad field). */
  static HttpError refusal(InvalidChangeException e) {
    if (e instanceof SyncProtocol.UnsupportedProtocolException) {
      return new HttpError(400, "unsupported_protocol", e.getMessage(), e.field());
    }
    if (e instanceof SyncProtocol.TooManyOpsException) { // more than any server takes: the rest was not read
      return new HttpError(413, "too_large", e.getMessage(), e.field());
    }
    return "body".equals(e.field()) ? new HttpError(400, "invalid_json", e.getMessage())
      : new HttpError(400, "invalid_request", e.getMessage(), e.field());
  }

  /** This server's limits on a valid request; throws {@link HttpError}. */
  SyncRequest checkLimits(SyncRequest request) {
    if (request.ops().size() > options.getMaxOpsPerRequest()) {
      throw new HttpError(413, "too_large", "at most " + options.getMaxOpsPerRequest() + " ops per request", "ops");
    }
    int max = options.getMaxDocumentBytes();
    if (max < TideServerOptions.DEFAULT_MAX_DOCUMENT_BYTES) {
      for (int i = 0; i < request.ops().size(); i++) {
        String doc = request.ops().get(i).docJson();
        // on the text as sent and stored, in UTF-8 bytes (counted only when it may be over)
        if (doc != null && ChangeCodec.utf8LongerThan(doc, max)) {
          throw new HttpError(400, "invalid_request", "ops[" + i + "].doc: is larger than this server's limit of "
            + max + " bytes", "ops[" + i + "].doc");
        }
      }
    }
    return request;
  }

  /** The response body of an exchange and the position its cursor stands for. */
  record Exchange(Buffer body, Cursors.Position position) {
  }

  /** Runs a validated request for a namespace; completes with the response. */
  Future<Exchange> exchange(String namespace, SyncRequest request) {
    return position(request.cursor()).compose(at -> exchange(namespace, request, at));
  }

  /** Where a cursor stands (refused as {@link Cursors#parse} says), read again from the store if it seems ahead. */
  private Future<Cursors.Position> position(String cursor) {
    String epoch;
    long lastSeq;
    long purgedSeq;
    try { // read once: an application's store whose getter throws fails the exchange here (see call)
      epoch = store.epoch();
      lastSeq = store.lastSeq();
      purgedSeq = store.purgedSeq();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    try {
      return Future.succeededFuture(Cursors.parse(cursor, epoch, lastSeq, purgedSeq));
    } catch (HttpError e) {
      if (!Cursors.ahead(cursor, epoch, lastSeq, purgedSeq)) {
        return Future.failedFuture(e);
      }
      // another server instance on the same database may have handed it out: look again before a reset
      return call(store::refresh).compose(v -> {
        try {
          return Future.succeededFuture(Cursors.parse(cursor, store.epoch(), store.lastSeq(), store.purgedSeq()));
        } catch (RuntimeException again) {
          return Future.failedFuture(again);
        }
      });
    }
  }

  private Future<Exchange> exchange(String namespace, SyncRequest request, Cursors.Position at) {
    int limit = Math.min(request.limit() == null ? defaultLimit() : request.limit(), options.getMaxLimit());
    return call(() -> store.push(namespace, request.ops()))
      .compose(results -> pull(namespace, at, request.includeOwn() ? null : request.nodeId(), limit)
        .compose(page -> {
          // a purge that committed after the cursor check may have removed a tombstone this page needed
          if (request.cursor() != null && purgedSince(at)) {
            return Future.failedFuture(Cursors.historyPurged());
          }
          return Future.succeededFuture(new Exchange(respond(page, results), position(page)));
        }));
  }

  /** The next page of changes after a position, for a live push. */
  Future<PullPage> page(String namespace, Cursors.Position from, String nodeId) {
    return pull(namespace, from, nodeId, defaultLimit());
  }

  /** The next page after a position for every client at it (own writes are filtered per connection). */
  Future<PullPage> pageAll(String namespace, Cursors.Position from) {
    return pull(namespace, from, null, defaultLimit());
  }

  /** Changes per page when the client names no limit (and in live pushes): the default, within maxLimit. */
  private int defaultLimit() {
    return Math.min(options.getDefaultLimit(), options.getMaxLimit());
  }

  /** True if deletes a client at this position had not seen may have been purged (it must pull everything). */
  boolean purgedSince(Cursors.Position position) {
    return Cursors.purgedSince(position, store.purgedSeq());
  }

  /** Where a client is after a page. */
  static Cursors.Position position(PullPage page) {
    return new Cursors.Position(page.lastSeq(), page.purgedSeq());
  }

  /** The highest committed change sequence. */
  long lastSeq() {
    return store.lastSeq();
  }

  private Future<PullPage> pull(String namespace, Cursors.Position from, String excludeNode, int limit) {
    PullPage page;
    try {
      page = fromLatestCommit(namespace, from, excludeNode, limit);
    } catch (RuntimeException e) { // the store's lastSeq() or purgedSeq() threw: fails like its pull (see call)
      return Future.failedFuture(e);
    }
    return page != null ? Future.succeededFuture(page)
      : call(() -> store.pull(namespace, from.seq(), excludeNode, limit, options.getMaxResponseBytes()));
  }

  /**
   * Calls the store: an application's store that throws (instead of failing its future) fails this
   * exchange like a failed future. Thrown out of here, it would leave a WebSocket connection's request
   * unanswered for good, its bytes of the body budget taken, and the connection serving nothing more.
   */
  private static <T> Future<T> call(Supplier<Future<T>> storeCall) {
    try {
      Future<T> f = storeCall.get();
      return f != null ? f : Future.failedFuture(new IllegalStateException("the server store returned no future"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The page {@link ServerStore#pull} would read now, taken from the latest commit's changes; null when
   * they cannot tell it: the position is not just before that commit, a newer commit or a purge may
   * have happened since, the changes are unknown, or they do not fit in one page. The page ends at the
   * latest commit, at or above the purged sequence, so it keeps the position's purged sequence.
   */
  PullPage fromLatestCommit(String namespace, Cursors.Position from, String excludeNode, int limit) {
    long afterSeq = from.seq();
    CommittedChanges c = latest;
    if (c == null || c.byNamespace() == null || c.fromSeq() != afterSeq || c.toSeq() != store.lastSeq()
      || store.purgedSeq() > afterSeq) {
      return null;
    }
    List<StoredChange> written = c.byNamespace().getOrDefault(namespace, List.of());
    List<StoredChange> changes = new ArrayList<>();
    long last = afterSeq;
    long bytes = 0;
    for (StoredChange s : written) {
      last = s.seq();
      if (excludeNode != null && excludeNode.equals(s.stamp().node())) {
        continue;
      }
      if (changes.size() == limit || bytes >= options.getMaxResponseBytes()) {
        return null; // more than a page: the store pages it
      }
      bytes += PageReader.estimatedBytes(s.body());
      changes.add(s);
    }
    return new PullPage(changes, last, false, from.purgedSeq());
  }

  String cursor(Cursors.Position position) {
    return Cursors.format(store.epoch(), position);
  }

  private Buffer respond(PullPage page, java.util.List<dev.tide.core.OpResult> results) {
    long remaining = page.more() ? Math.max(0, store.lastSeq() - page.lastSeq()) : 0;
    return ResponseWriter.write(cursor(position(page)), page.changes(), page.more(), results, remaining);
  }
}

package dev.tide.transport.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.SyncResponse;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sync requests sent on the socket and not answered yet, by id: the answers the server sends for
 * them, their timeouts, and failing them all when the socket is lost. Confined to the transport's context.
 */
final class InFlight {

  private final Vertx vertx;
  private final SyncOptions options;
  private final Liveness liveness;
  private final Map<Long, Promise<SyncResponse>> pending = new HashMap<>();
  private long nextId;

  InFlight(Vertx vertx, SyncOptions options, Liveness liveness) {
    this.vertx = vertx;
    this.options = options;
    this.liveness = liveness;
  }

  /** The id of the next request sent. */
  long newId() {
    return ++nextId;
  }

  void put(long id, Promise<SyncResponse> result) {
    pending.put(id, result);
  }

  /** The request of this id, no longer in flight; null if it was not. */
  Promise<SyncResponse> remove(long id) {
    return pending.remove(id);
  }

  /** The oldest request in flight, no longer in flight; null if there is none. */
  Promise<SyncResponse> removeOldest() {
    return pending.keySet().stream().min(Long::compare).map(pending::remove).orElse(null);
  }

  /** The request a result or error answers; an id not in flight means the server is out of step. */
  Promise<SyncResponse> answer(long id, String type) {
    Promise<SyncResponse> p = pending.remove(id);
    if (p == null) {
      throw ServerFrames.protocolError(type + " frame for id " + id + ", which is no request in flight");
    }
    return p;
  }

  /** Fails every request in flight with {@code cause}. */
  void failAll(Throwable cause) {
    List<Promise<SyncResponse>> failed = new ArrayList<>(pending.values());
    pending.clear();
    failed.forEach(p -> p.tryFail(cause));
  }

  /**
   * Fails the request once no data has moved for {@code requestTimeoutMs}: no frame of ours taken by the
   * network, no data frame of the server's received (pings and pongs do not count: a server that never
   * answers keeps answering pings). A large request or answer on a slow link keeps moving and is not cut
   * (an absolute deadline would cut it on every attempt). Then runs {@code timedOut}.
   */
  void awaitAnswer(long id, Promise<SyncResponse> result, Runnable timedOut) {
    long[] timer = {-1};
    result.future().onComplete(x -> vertx.cancelTimer(timer[0]));
    armAnswerTimer(id, result, timer, timedOut);
  }

  private void armAnswerTimer(long id, Promise<SyncResponse> result, long[] timer, Runnable timedOut) {
    long timeoutMs = options.getRequestTimeoutMs();
    long wait = Math.max(1, timeoutMs - liveness.msSinceData());
    timer[0] = vertx.setTimer(wait, t -> {
      if (result.future().isComplete() || !pending.containsKey(id)) {
        return;
      }
      if (liveness.msSinceData() < timeoutMs) {
        armAnswerTimer(id, result, timer, timedOut);
      } else if (pending.remove(id) != null) {
        result.tryFail(new VertxException("no answer within " + timeoutMs + " ms without data either way", true));
        timedOut.run();
      }
    });
  }
}

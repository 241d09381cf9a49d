package dev.tide.tests.http;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The real SQLite server store with per-op validation in front, as an app would add it: ops matching
 * {@code reject} are refused with a {@code rejected} result; the rest are stored. Counts pushed ops.
 */
public final class StoreWrapper implements ServerStore {

  final ServerStore delegate;
  final Predicate<Change> reject;
  public final AtomicInteger opsReceived = new AtomicInteger();

  public StoreWrapper(ServerStore delegate, Predicate<Change> reject) {
    this.delegate = delegate;
    this.reject = reject;
  }

  @Override
  public String epoch() {
    return delegate.epoch();
  }

  @Override
  public long lastSeq() {
    return delegate.lastSeq();
  }

  @Override
  public long purgedSeq() {
    return delegate.purgedSeq();
  }

  @Override
  public Future<Long> purgeTombstones(long committedBeforeMillis) {
    return delegate.purgeTombstones(committedBeforeMillis);
  }

  @Override
  public Future<List<OpResult>> push(String namespace, List<Change> ops) {
    opsReceived.addAndGet(ops.size());
    List<Change> accepted = new ArrayList<>();
    for (Change op : ops) {
      if (!reject.test(op)) {
        accepted.add(op);
      }
    }
    return delegate.push(namespace, accepted).map(stored -> {
      List<OpResult> results = new ArrayList<>();
      int k = 0;
      for (Change op : ops) {
        results.add(reject.test(op) ? OpResult.rejected("forbidden", "ids starting with 'bad' are refused") : stored.get(k++));
      }
      return results;
    });
  }

  @Override
  public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
    return delegate.pull(namespace, afterSeq, excludeNode, limit, maxBytes);
  }

  @Override
  public ChangeSignal signal() {
    return delegate.signal();
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}

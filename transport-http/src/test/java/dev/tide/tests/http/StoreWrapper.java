package dev.tide.tests.http;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.server.spi.ForwardingServerStore;
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
public final class StoreWrapper extends ForwardingServerStore {

  final Predicate<Change> reject;
  public final AtomicInteger opsReceived = new AtomicInteger();

  public StoreWrapper(ServerStore delegate, Predicate<Change> reject) {
    super(delegate);
    this.reject = reject;
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
}

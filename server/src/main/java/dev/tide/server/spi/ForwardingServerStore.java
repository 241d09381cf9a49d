package dev.tide.server.spi;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import io.vertx.core.Future;

import java.util.List;

/**
 * A store that forwards every call to another one: extend it and override what you want to check or
 * observe (per-op validation in {@link #push}, metrics, fault injection in tests), the rest keeps
 * working unchanged. Pass it to {@code TideServer.create}.
 * <p>
 * A pull right after a commit is answered from what the commit wrote ({@link CommittedChanges}, passed
 * by {@link #signal()}), without calling {@link #pull}: to see or filter every page, override
 * {@code signal()} too (and pass commits without their changes).
 */
public abstract class ForwardingServerStore implements ServerStore {

  protected final ServerStore delegate;

  protected ForwardingServerStore(ServerStore delegate) {
    this.delegate = delegate;
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
  public Future<Void> refresh() {
    return delegate.refresh();
  }

  @Override
  public Future<Long> purgeTombstones(long committedBeforeMillis) {
    return delegate.purgeTombstones(committedBeforeMillis);
  }

  @Override
  public Future<List<OpResult>> push(String namespace, List<Change> ops) {
    return delegate.push(namespace, ops);
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

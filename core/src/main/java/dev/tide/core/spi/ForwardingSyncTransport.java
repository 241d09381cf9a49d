package dev.tide.core.spi;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * A transport that forwards every call to another one: extend it and override what you want to
 * observe or change (count exchanges, add tracing, inject faults), the rest keeps working unchanged.
 */
public abstract class ForwardingSyncTransport implements SyncTransport {

  protected final SyncTransport delegate;

  protected ForwardingSyncTransport(SyncTransport delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<SyncResponse> exchange(SyncRequest request) {
    return delegate.exchange(request);
  }

  @Override
  public void pushHandler(Handler<PushedChanges> handler) {
    delegate.pushHandler(handler);
  }

  @Override
  public void connectedHandler(Handler<Void> handler) {
    delegate.connectedHandler(handler);
  }

  @Override
  public void disconnectedHandler(Handler<Void> handler) {
    delegate.disconnectedHandler(handler);
  }

  @Override
  public boolean pushes() {
    return delegate.pushes();
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}

package dev.tide.transport.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import io.vertx.core.Vertx;

/** Registers the {@code "http"} transport (found with {@link java.util.ServiceLoader}). */
public final class HttpTransportFactory implements SyncTransportFactory {

  @Override
  public String name() {
    return "http";
  }

  @Override
  public SyncTransport create(Vertx vertx, SyncOptions options) {
    return HttpSyncTransport.create(vertx, options);
  }
}

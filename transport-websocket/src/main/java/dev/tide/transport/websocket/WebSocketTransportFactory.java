package dev.tide.transport.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import io.vertx.core.Vertx;

/** Registers the {@code "websocket"} transport (found with {@link java.util.ServiceLoader}). */
public final class WebSocketTransportFactory implements SyncTransportFactory {

  @Override
  public String name() {
    return "websocket";
  }

  @Override
  public SyncTransport create(Vertx vertx, SyncOptions options) {
    return WebSocketSyncTransport.create(vertx, options);
  }
}

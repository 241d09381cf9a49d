package dev.tide.core.spi;

import dev.tide.core.SyncOptions;
import io.vertx.core.Vertx;

/**
 * Creates transports by name ({@link SyncOptions#getTransport()}), found with {@link java.util.ServiceLoader}:
 * adding {@code tide-transport-http} or {@code tide-transport-websocket} to the classpath makes
 * {@code "http"} or {@code "websocket"} available.
 */
public interface SyncTransportFactory {

  String name();

  SyncTransport create(Vertx vertx, SyncOptions options);

  /** A factory from a name and a function, for {@link SyncOptions#setTransportFactory} in code. */
  static SyncTransportFactory of(String name, java.util.function.BiFunction<Vertx, SyncOptions, SyncTransport> create) {
    return new SyncTransportFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public SyncTransport create(Vertx vertx, SyncOptions options) {
        return create.apply(vertx, options);
      }
    };
  }
}

package dev.tide.core.impl;

import dev.tide.core.SyncOptions;
import dev.tide.core.TideException;
import dev.tide.core.spi.SyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the transport named in {@link SyncOptions} among the factories on the classpath. */
final class Transports {

  private Transports() {
  }

  static SyncTransport create(Vertx vertx, SyncOptions options) {
    if (options.getUrl() == null) {
      throw new TideException("SyncOptions.url is required to sync");
    }
    if (options.getTransportFactory() != null) {
      return options.getTransportFactory().create(vertx, options);
    }
    List<String> found = new ArrayList<>();
    for (SyncTransportFactory f : ServiceLoader.load(SyncTransportFactory.class, Transports.class.getClassLoader())) {
      if (f.name().equalsIgnoreCase(options.getTransport())) { // like a url's scheme
        return f.create(vertx, options);
      }
      found.add(f.name());
    }
    throw new TideException("no sync transport named '" + options.getTransport() + "' on the classpath (found " + found
      + "): \"http\" is in dev.tide:tide-transport-http, \"websocket\" in dev.tide:tide-transport-websocket");
  }
}

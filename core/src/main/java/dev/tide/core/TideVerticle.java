package dev.tide.core;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Deploys a {@link Tide} client as a verticle: the store opens on start and closes (after flushing
 * queued writes) on undeploy. Options come from the constructor or, if none given, from the
 * deployment's JSON config.
 */
public class TideVerticle extends VerticleBase {

  private final TideOptions options;
  private volatile Tide tide;

  public TideVerticle() {
    this(null);
  }

  public TideVerticle(TideOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    TideOptions opts = options != null ? options : new TideOptions(config());
    return Tide.open(vertx, opts).onSuccess(t -> tide = t);
  }

  @Override
  public Future<?> stop() {
    Tide t = tide;
    return t == null ? Future.succeededFuture() : t.close();
  }

  /** The client, once the verticle has started. */
  public Tide tide() {
    Tide t = tide;
    if (t == null) {
      throw new IllegalStateException("TideVerticle is not started");
    }
    return t;
  }
}

package dev.tide.tests.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Child JVM: pulls everything from a server, printing {@code PULLED <n>} after each committed page. Args: db url. */
public final class PullChild {

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(args[0])
      .setSync(new SyncOptions().setUrl(args[1]).setPullLimit(1000))).await();
    vertx.eventBus().<JsonObject>consumer(tide.statusAddress(), m -> {
      System.out.println("PULLED " + m.body().getLong("pulled"));
      System.out.flush();
    });
    tide.syncOnce().await();
    System.out.println("DONE");
    System.out.flush();
  }
}

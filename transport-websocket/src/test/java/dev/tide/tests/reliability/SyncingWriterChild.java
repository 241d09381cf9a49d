package dev.tide.tests.reliability;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Child JVM for the client crash suite: writes documents and syncs them in the background, printing
 * {@code ACK <id>} for each put whose future completed, until it is killed. Args: db url transport prefix.
 */
public final class SyncingWriterChild {

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(args[0]).setSync(new SyncOptions().setUrl(args[1])
      .setTransport(args[2]).setIntervalMs(20).setBackoffInitialMs(10).setBackoffMaxMs(50))).await();
    tide.startSync().await();
    System.out.println("READY");
    System.out.flush();
    for (long n = 0; ; n++) {
      String id = args[3] + n;
      tide.collection("notes").put(id, new JsonObject().put("n", n)).await();
      System.out.println("ACK " + id);
      System.out.flush();
    }
  }
}

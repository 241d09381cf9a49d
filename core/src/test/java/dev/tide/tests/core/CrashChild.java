package dev.tide.tests.core;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.concurrent.Semaphore;

/**
 * Child JVM for crash tests: writes documents with many puts in flight and prints {@code ACK <id>}
 * for each put whose future completed (i.e. committed), until it is killed.
 * Args: dbPath idPrefix.
 */
public final class CrashChild {

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(args[0])).await();
    out.println("READY " + tide.nodeId());
    out.flush();
    Semaphore inFlight = new Semaphore(64);
    for (long i = 0; ; i++) {
      inFlight.acquire();
      String id = args[1] + i;
      tide.collection("notes").put(id, new JsonObject().put("i", i).put("pad", "x".repeat(100)))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            synchronized (out) {
              out.println("ACK " + id);
              out.flush();
            }
          }
          inFlight.release();
        });
    }
  }
}

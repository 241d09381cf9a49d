package dev.tide.tests.http;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * Child JVM: opens a syncing client, writes one doc, syncs (prints STEP1 and the highest counter it saw),
 * waits for a line on stdin, syncs again (a history_purged reset), prints STEP2 and waits to be SIGKILLed.
 * Args: dbPath url.
 */
public final class ResetChild {
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Tide c = Tide.open(vertx, new TideOptions().setDbPath(args[0])
      .setSync(new SyncOptions().setUrl(args[1]).setIntervalMs(600_000))).await();
    c.collection("notes").put("mine", new JsonObject()).await();
    c.syncOnce().await();
    System.out.println("STEP1 y=" + c.collection("notes").document("y").await().stamp().counter());
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in)).readLine();
    System.out.println("STEP2 " + c.syncOnce().await() + " y=" + c.collection("notes").document("y").await());
    System.out.flush();
    new java.util.concurrent.CountDownLatch(1).await(); // until the parent kills this JVM
  }
}

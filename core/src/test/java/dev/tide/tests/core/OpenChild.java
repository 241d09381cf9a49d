package dev.tide.tests.core;

import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;

/** Second process: tries to open the store; prints OPENED or REFUSED <message>. Args: dbPath. */
public final class OpenChild {
  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    try {
      Tide t = Tide.open(vertx, new TideOptions().setDbPath(args[0])).await();
      System.out.println("OPENED " + t.nodeId());
      t.close().await();
    } catch (Exception e) {
      System.out.println("REFUSED " + e.getMessage());
    }
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}

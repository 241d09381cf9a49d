package dev.tide.examples;

import dev.tide.core.Change;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Example 2: reacting to changes on the event bus: one consumer for one collection, one for all of them.
 * Local writes and changes pulled or pushed from the server arrive the same way, after commit, with
 * {@code source()} telling which.
 */
public final class ChangeFeedExample {

  private ChangeFeedExample() {
  }

  /** Changes of the "notes" collection only ({@code tide.changes.notes}). */
  public static MessageConsumer<Change> onNotes(Vertx vertx, Tide tide, Handler<Change> handler) {
    return vertx.eventBus().consumer(tide.collection("notes").address(), m -> handler.handle(m.body()));
  }

  /** Changes of every collection ({@code tide.changes}). */
  public static MessageConsumer<Change> onEverything(Vertx vertx, Tide tide, Handler<Change> handler) {
    return vertx.eventBus().consumer(tide.address(), m -> handler.handle(m.body()));
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath("example-feed.db")).await();
    onNotes(vertx, tide, c -> System.out.println("notes: " + c.id() + (c.deleted() ? " deleted" : " = " + c.doc().encode())
      + " (" + c.source().toJson() + ", " + c.stamp() + ")"));
    onEverything(vertx, tide, c -> System.out.println("any:   " + c.collection() + "/" + c.id()));
    tide.collection("notes").put("n1", new JsonObject().put("title", "Hello")).await();
    tide.collection("tasks").put("t1", new JsonObject().put("done", false)).await();
    tide.collection("notes").delete("n1").await();
    tide.close().await();
    vertx.close();
  }
}

package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;

import java.util.List;

/**
 * Publishes committed changes, from the store's context, in commit order: on the event bus, each on
 * {@code <prefix>.changes} and on {@code <prefix>.changes.<collection>}, and directly to the change
 * streams that have a handler ({@link ChangeStreamImpl}; they do not read the event bus).
 */
public final class ChangeFeed {

  private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());

  private final Vertx vertx;
  private final String prefix;
  private final boolean asJson;
  private final java.util.Set<ChangeStreamImpl> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public ChangeFeed(Vertx vertx, String prefix, boolean asJson) {
    this.vertx = vertx;
    this.prefix = prefix + ".changes";
    this.asJson = asJson;
    registerCodec(vertx);
  }

  /** Registers the {@link Change} codec once per Vert.x instance (a second registration throws). */
  static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(Change.class, new ChangeMessageCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another store on this Vert.x instance registered it
    }
  }

  public String address() {
    return prefix;
  }

  public String address(String collection) {
    return prefix + "." + collection;
  }

  /** Publishes committed changes; called on the store's context, in commit order. */
  public void publishNow(List<Change> changes) {
    EventBus bus = vertx.eventBus();
    for (Change c : changes) {
      Object body = asJson ? c.toEventJson() : c;
      bus.publish(prefix, body);
      bus.publish(address(c.collection()), body);
    }
    if (streams.isEmpty()) {
      return;
    }
    java.util.Map<String, List<Change>> byCollection = null; // built once, if a stream follows one collection
    for (ChangeStreamImpl s : streams) {
      List<Change> mine = changes;
      if (s.collection() != null) {
        if (byCollection == null) {
          byCollection = new java.util.HashMap<>();
          for (Change c : changes) {
            byCollection.computeIfAbsent(c.collection(), k -> new java.util.ArrayList<>()).add(c);
          }
        }
        mine = byCollection.get(s.collection());
      }
      if (mine == null) {
        continue; // nothing of its collection: not woken
      }
      try {
        s.offer(mine);
      } catch (RuntimeException e) { // one stream's context refusing work must not cost the others this publish
        LOG.log(System.Logger.Level.WARNING, "change stream could not be fed", e);
      }
    }
  }

  /**
   * A stream of committed changes (of one collection, or all when {@code collection} is null), on the
   * caller's context (the store's, from a non-Vert.x thread); an ended one if the store is closed.
   */
  public ChangeStream stream(String collection, Context storeContext, boolean storeClosed) {
    Context current = Vertx.currentContext();
    Context context = current != null ? current : storeContext;
    return storeClosed || closed ? ChangeStreamImpl.ended(context)
      : new ChangeStreamImpl(context, this, collection, ChangeStream.DEFAULT_MAX_BUFFERED);
  }

  /** A stream with a handler: it gets every publish from now on (or ends at once if the store closed). */
  void add(ChangeStreamImpl stream) {
    streams.add(stream);
    if (closed) { // checked after adding: a close running now either sees the stream or is seen here
      stream.storeClosed();
    }
  }

  void remove(ChangeStreamImpl stream) {
    streams.remove(stream);
  }

  /**
   * The store closed, on its context after its last publish: every stream ends after the changes it
   * already holds (a paused one when it is resumed). Nothing waits for them.
   */
  public void closeStreams() {
    closed = true;
    for (ChangeStreamImpl s : streams) {
      s.storeClosed();
    }
  }
}

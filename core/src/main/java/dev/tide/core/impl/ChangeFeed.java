package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.MessageConsumerOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Publishes committed changes on the event bus: each on {@code <prefix>.changes} and on
 * {@code <prefix>.changes.<collection>}, from the store's context, in commit order.
 */
public final class ChangeFeed {

  private final Vertx vertx;
  private final String prefix;
  private final boolean asJson;
  private final java.util.Set<ChangeStreamImpl> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
  }

  /**
   * A stream of the changes on an address, on the caller's context (the store's, from a non-Vert.x
   * thread); a stream that holds a consumer is ended by {@link #closeStreams()} when the store closes.
   */
  public ChangeStream stream(String address, Context storeContext, boolean storeClosed) {
    Context current = Vertx.currentContext();
    Context context = current != null ? current : storeContext;
    if (storeClosed) {
      return ChangeStreamImpl.ended(context);
    }
    MessageConsumerOptions opts = new MessageConsumerOptions().setAddress(address).setLocalOnly(true);
    return new ChangeStreamImpl(context, new ChangeStreamImpl.Feed() {
      @Override
      public MessageConsumer<Object> consumer() {
        return vertx.eventBus().consumer(opts);
      }

      @Override
      public void registered(ChangeStreamImpl stream) {
        streams.add(stream);
      }

      @Override
      public void unregistered(ChangeStreamImpl stream) {
        streams.remove(stream);
      }
    }, ChangeFeed::toChange, ChangeStream.DEFAULT_MAX_BUFFERED);
  }

  /** Ends every stream that holds a consumer (their end handlers run on their contexts). */
  public Future<Void> closeStreams() {
    List<Future<Void>> closing = new java.util.ArrayList<>();
    for (ChangeStream s : streams) {
      closing.add(s.close());
    }
    return Future.join(closing).mapEmpty();
  }

  static Change toChange(Object body) {
    return body instanceof Change c ? c : ChangeCodec.decodeEvent((JsonObject) body);
  }
}

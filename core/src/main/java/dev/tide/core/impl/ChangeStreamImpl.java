package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import dev.tide.core.ChangesDroppedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayDeque;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link ChangeStream} over an event-bus consumer, with its own bounded buffer and demand: it counts
 * what it drops and tells the app where the gap is (an event-bus consumer only logs it). The consumer
 * is registered while a handler is set: {@code handler(null)} (what a pipe does when it ends) unregisters
 * it and drops what was buffered, and a new handler registers a fresh one (in Vert.x 5 a consumer whose
 * handler was set to null stays closed). Changes are delivered one drain at a time, on the stream's
 * context; the end handler runs once, there too, never during a delivery.
 */
final class ChangeStreamImpl implements ChangeStream {

  private static final System.Logger LOG = System.getLogger(ChangeStreamImpl.class.getName());

  /** Where changes were dropped: reported when the drain reaches it, so in order. */
  private static final class Gap {
    long count = 1;
  }

  /** The side of the feed a stream needs. */
  interface Feed {
    MessageConsumer<Object> consumer(); // on the current context

    void registered(ChangeStreamImpl stream);

    void unregistered(ChangeStreamImpl stream);
  }

  private final Context context;
  private final Feed feed;
  private final Function<Object, Change> decode;
  private final int maxBuffered;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private int changes; // in the buffer, gaps not counted
  private MessageConsumer<Object> consumer;
  private Handler<Change> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private boolean draining;
  private boolean closing;
  private boolean ended;
  private final Promise<Void> closed = Promise.promise();

  ChangeStreamImpl(Context context, Feed feed, Function<Object, Change> decode, int maxBuffered) {
    this.context = context;
    this.feed = feed;
    this.decode = decode;
    this.maxBuffered = maxBuffered;
  }

  /** A stream of a closed store: it has ended (an end handler set on it runs). */
  static ChangeStreamImpl ended(Context context) {
    ChangeStreamImpl s = new ChangeStreamImpl(context, null, null, 0);
    s.closing = true;
    s.ended = true;
    s.closed.complete();
    return s;
  }

  @Override
  public synchronized ChangeStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ChangeStream handler(Handler<Change> handler) {
    MessageConsumer<Object> gone = null;
    boolean register = false;
    boolean leave = false;
    synchronized (this) {
      if (closing) {
        return this;
      }
      boolean receiving = this.handler != null;
      this.handler = handler;
      if (handler == null && receiving) {
        gone = consumer; // detached (a pipe ended): stop receiving, keep nothing
        consumer = null;
        buffer.clear();
        changes = 0;
        leave = true;
      } else if (handler != null && !receiving) {
        register = true;
      }
    }
    if (leave) {
      if (gone != null) {
        gone.unregister();
      }
      feed.unregistered(this);
    } else if (register) {
      feed.registered(this); // now: a store closing from here on ends this stream
      if (Vertx.currentContext() == context) {
        register(); // at once: a change committed right after this call is received
      } else {
        context.runOnContext(v -> register());
      }
    }
    scheduleDrain();
    return this;
  }

  private void register() {
    MessageConsumer<Object> c;
    synchronized (this) {
      if (closing || handler == null || consumer != null) {
        return;
      }
      c = feed.consumer();
      consumer = c;
    }
    c.handler(msg -> received(msg.body()));
  }

  @Override
  public synchronized ChangeStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public ChangeStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ChangeStream fetch(long amount) {
    if (amount > 0) {
      synchronized (this) {
        demand = Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
      }
      scheduleDrain();
    }
    return this;
  }

  @Override
  public ChangeStream endHandler(Handler<Void> endHandler) {
    boolean already;
    synchronized (this) {
      this.endHandler = endHandler;
      already = ended;
    }
    if (already && endHandler != null) {
      context.runOnContext(v -> endHandler.handle(null)); // a stream that has ended says so
    }
    return this;
  }

  @Override
  public Future<Void> close() {
    MessageConsumer<Object> gone;
    synchronized (this) {
      if (closing) {
        return closed.future();
      }
      closing = true;
      gone = consumer;
      consumer = null;
      buffer.clear();
      changes = 0;
    }
    if (gone != null) {
      gone.unregister();
    }
    if (feed != null) {
      feed.unregistered(this);
    }
    scheduleDrain(); // the drain ends the stream, on its context, between deliveries
    return closed.future();
  }

  /** On the consumer's context. */
  private void received(Object body) {
    synchronized (this) {
      if (closing || handler == null) {
        return;
      }
      if (changes < maxBuffered) {
        buffer.add(body);
        changes++;
      } else if (buffer.peekLast() instanceof Gap gap) {
        gap.count++;
      } else {
        buffer.add(new Gap());
      }
    }
    drain();
  }

  private void scheduleDrain() {
    context.runOnContext(v -> drain());
  }

  /** Delivers while there is demand, one drain at a time: a handler that fetches or resumes lets this loop go on. */
  private void drain() {
    synchronized (this) {
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      while (true) {
        Object item;
        Handler<Change> h;
        Handler<Void> end = null;
        synchronized (this) {
          h = handler;
          if (closing) {
            if (!ended) {
              ended = true;
              end = endHandler;
            }
            item = null;
          } else if (h == null || demand == 0 || buffer.isEmpty()) {
            return;
          } else {
            item = buffer.poll();
            if (!(item instanceof Gap)) {
              changes--;
              if (demand != Long.MAX_VALUE) {
                demand--;
              }
            }
          }
        }
        if (item == null) { // closing: end once, here, between deliveries
          if (end != null) {
            end.handle(null);
          }
          closed.tryComplete();
          return;
        }
        deliver(h, item);
      }
    } finally {
      synchronized (this) {
        draining = false;
      }
    }
  }

  private void deliver(Handler<Change> h, Object item) {
    Change change = null;
    Throwable failure;
    if (item instanceof Gap gap) {
      failure = new ChangesDroppedException(gap.count);
    } else {
      try {
        change = decode.apply(item);
        failure = null;
      } catch (RuntimeException e) { // not a change (something else published on the address)
        failure = e;
      }
    }
    if (failure != null) {
      Handler<Throwable> onError;
      synchronized (this) {
        onError = exceptionHandler;
      }
      if (onError != null) {
        onError.handle(failure);
      } else {
        LOG.log(System.Logger.Level.WARNING, "change stream: " + failure.getMessage());
      }
      return;
    }
    try {
      h.handle(change);
    } catch (RuntimeException e) { // the app's bug on one change must not strand the ones behind it
      Handler<Throwable> ctxHandler = context.exceptionHandler();
      if (ctxHandler != null) {
        ctxHandler.handle(e);
      } else {
        LOG.log(System.Logger.Level.ERROR, "change stream handler failed", e);
      }
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import dev.tide.core.ChangesDroppedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link ChangeStream} over an event-bus consumer that is never paused itself: the stream keeps its
 * own bounded buffer and demand, so that it can count what it drops and tell the app (an event-bus
 * consumer only logs it), and so that {@code handler(null)} detaches without unregistering (in Vert.x 5
 * that closes the consumer's queue for good). Changes arriving while no handler is set are buffered.
 */
final class ChangeStreamImpl implements ChangeStream {

  private static final System.Logger LOG = System.getLogger(ChangeStreamImpl.class.getName());

  private final Context context;
  private final MessageConsumer<Object> consumer;
  private final Function<Object, Change> decode;
  private final int maxBuffered;
  private final Consumer<ChangeStreamImpl> onClose;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private Handler<Change> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private long dropped;
  private boolean registered;
  private boolean draining;
  private Future<Void> closed;

  ChangeStreamImpl(Context context, MessageConsumer<Object> consumer, Function<Object, Change> decode, int maxBuffered,
                   Consumer<ChangeStreamImpl> onClose) {
    this.context = context;
    this.consumer = consumer;
    this.decode = decode;
    this.maxBuffered = maxBuffered;
    this.onClose = onClose;
  }

  @Override
  public synchronized ChangeStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ChangeStream handler(Handler<Change> handler) {
    synchronized (this) {
      this.handler = handler;
      if (handler != null && !registered && closed == null) {
        registered = true; // the stream starts receiving when a handler is first set
        consumer.handler(msg -> received(msg.body()));
      }
    }
    scheduleDrain();
    return this;
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
  public synchronized ChangeStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = consumer.unregister().eventually(() -> {
        Handler<Void> end;
        synchronized (this) {
          buffer.clear();
          end = endHandler;
        }
        onClose.accept(this);
        if (end != null) {
          end.handle(null);
        }
        return Future.succeededFuture();
      });
    }
    return closed;
  }

  /** On the consumer's context. */
  private void received(Object body) {
    synchronized (this) {
      if (closed != null) {
        return;
      }
      if (buffer.size() < maxBuffered) {
        buffer.add(body);
      } else {
        dropped++;
        return;
      }
    }
    drain();
  }

  private void scheduleDrain() {
    context.runOnContext(v -> drain());
  }

  /** Delivers buffered changes while there is demand, on the stream's context; then reports drops. */
  private void drain() {
    synchronized (this) {
      if (draining) {
        return; // a handler that fetched or resumed: the loop below goes on
      }
      draining = true;
    }
    try {
      while (true) {
        Object body;
        Handler<Change> h;
        Handler<Throwable> onError = null;
        long lost = 0;
        synchronized (this) {
          h = handler;
          if (closed != null || h == null || demand == 0 || buffer.isEmpty()) {
            if (closed == null && buffer.isEmpty() && dropped > 0 && exceptionHandler != null) {
              lost = dropped; // the gap is reported where it is: after the changes buffered before it
              dropped = 0;
              onError = exceptionHandler;
            }
            body = null;
          } else {
            body = buffer.poll();
            if (demand != Long.MAX_VALUE) {
              demand--;
            }
          }
        }
        if (body == null) {
          if (onError != null) {
            onError.handle(new ChangesDroppedException(lost));
          }
          return;
        }
        deliver(h, body);
      }
    } finally {
      synchronized (this) {
        draining = false;
      }
    }
  }

  private void deliver(Handler<Change> h, Object body) {
    Change change;
    try {
      change = decode.apply(body);
    } catch (RuntimeException e) { // not a change (something else published on the address)
      Handler<Throwable> onError;
      synchronized (this) {
        onError = exceptionHandler;
      }
      if (onError != null) {
        onError.handle(e);
      } else {
        LOG.log(System.Logger.Level.WARNING, "change stream: a message that is not a change was skipped", e);
      }
      return;
    }
    h.handle(change);
  }
}

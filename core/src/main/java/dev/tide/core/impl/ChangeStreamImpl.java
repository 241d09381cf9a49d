package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeStream;
import dev.tide.core.ChangesDroppedException;
import io.vertx.core.Closeable;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayDeque;
import java.util.List;

/**
 * A {@link ChangeStream} fed by the store directly ({@link ChangeFeed#publishNow}), in commit order,
 * with its own bounded buffer and demand. Not an event-bus consumer: the store's close can then end the
 * stream after exactly the changes published before it, and a gap is counted and reported where it is.
 * <p>
 * The stream receives while a handler is set: {@code handler(null)} (what a pipe does when it ends)
 * stops it and drops what was buffered; a new handler starts it again. Deliveries happen one drain at a
 * time, on the stream's context; the end handler runs once, there too, after what was buffered before
 * the end. A stream made in a verticle ends when the verticle is undeployed.
 */
final class ChangeStreamImpl implements ChangeStream, Closeable {

  private static final System.Logger LOG = System.getLogger(ChangeStreamImpl.class.getName());

  /** Where changes were dropped: reported when the drain reaches it, so in order. */
  private static final class Gap {
    long count = 1;
  }

  /** Where the store closed: the stream ends when the drain reaches it. */
  private static final Object END = new Object();

  private final ContextInternal context;
  private final ChangeFeed feed;
  private final String collection; // null: every collection
  private final int maxBuffered;
  private final ArrayDeque<Object> buffer = new ArrayDeque<>();
  private int changes; // in the buffer, gaps and the end not counted
  private Handler<Change> handler;
  private Handler<Throwable> exceptionHandler;
  private Handler<Void> endHandler;
  private long demand = Long.MAX_VALUE;
  private boolean scheduled;
  private boolean draining;
  private boolean closing;
  private boolean storeEnded;
  private boolean ended;
  private final Promise<Void> closed = Promise.promise();

  ChangeStreamImpl(Context context, ChangeFeed feed, String collection, int maxBuffered) {
    this.context = (ContextInternal) context;
    this.feed = feed;
    this.collection = collection;
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

  /** The collection this stream follows, or null for all. */
  String collection() {
    return collection;
  }

  @Override
  public synchronized ChangeStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ChangeStream handler(Handler<Change> handler) {
    boolean start;
    boolean stop;
    synchronized (this) {
      if (closing) {
        return this;
      }
      start = this.handler == null && handler != null;
      stop = this.handler != null && handler == null;
      this.handler = handler;
      if (stop) { // detached (a pipe ended): stop receiving, keep nothing but the store's end
        buffer.clear();
        changes = 0;
        if (storeEnded) {
          buffer.add(END);
        }
      }
    }
    if (start) {
      context.addCloseHook(this); // the verticle that watches is undeployed: the stream ends
      feed.add(this); // receives from the next publish on (a closed store ends it at once)
      boolean closedMeanwhile;
      synchronized (this) {
        closedMeanwhile = closing;
      }
      if (closedMeanwhile) { // close() ran between the decision and the adds: its leave() found nothing
        leave();
      }
    } else if (stop) {
      leave();
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

  /** Ends the stream now: what is buffered is dropped. */
  @Override
  public Future<Void> close() {
    synchronized (this) {
      if (closing) {
        return closed.future();
      }
      closing = true;
      buffer.clear();
      changes = 0;
    }
    leave();
    scheduleDrain(); // the drain ends the stream, on its context, between deliveries
    return closed.future();
  }

  /**
   * The stream's context is closing (its verticle is undeployed). On the context, as Vert.x runs the
   * hook, the stream ends here: a task queued on it now could find a worker verticle's pool already shut.
   */
  @Override
  public void close(Completable<Void> completion) {
    if (context.isRunningOnContext()) {
      end();
    } else {
      close();
    }
    completion.succeed();
  }

  private void leave() {
    if (feed != null) {
      feed.remove(this);
      context.removeCloseHook(this);
    }
  }

  /**
   * The store published these changes of this stream's collection(s) (on the store's context, in commit
   * order). A flowing stream takes them all; with limited demand, what goes past the buffer's limit and
   * the outstanding demand is dropped (a gap).
   */
  void offer(List<Change> published) {
    synchronized (this) {
      if (closing || handler == null) {
        return;
      }
      long room = demand == Long.MAX_VALUE // flowing: a whole batch if the buffer is under its bound, not batch after batch
        ? Math.max(maxBuffered, changes < maxBuffered ? (long) changes + published.size() : 0)
        : demand >= Long.MAX_VALUE - maxBuffered ? Long.MAX_VALUE : maxBuffered + demand;
      for (Change c : published) {
        if (changes < room) {
          buffer.add(c);
          changes++;
        } else if (buffer.peekLast() instanceof Gap gap) {
          gap.count++;
        } else {
          buffer.add(new Gap());
        }
      }
    }
    scheduleDrain();
  }

  /** The store closed (on its context, after its last publish): the stream ends after what it holds. */
  void storeClosed() {
    synchronized (this) {
      if (closing) {
        return;
      }
      storeEnded = true;
      buffer.add(END);
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    synchronized (this) {
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    try {
      context.runOnContext(v -> {
        synchronized (this) {
          scheduled = false;
        }
        drain();
      });
    } catch (RuntimeException e) { // refused: the next offer, fetch or close() tries again
      synchronized (this) {
        scheduled = false;
      }
      throw e;
    }
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
        synchronized (this) {
          h = handler;
          if (closing || buffer.peek() == END) {
            item = END;
          } else if (h == null || demand == 0 || buffer.isEmpty()) {
            return;
          } else {
            item = buffer.poll();
            if (item instanceof Change) {
              changes--;
              if (demand != Long.MAX_VALUE) {
                demand--;
              }
            }
          }
        }
        if (item == END) {
          end();
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

  /** Ends once: the end handler runs, then close() completes (whatever the handler does). */
  private void end() {
    Handler<Void> h;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      closing = true;
      buffer.clear();
      changes = 0;
      h = endHandler;
    }
    leave();
    try {
      if (h != null) {
        h.handle(null);
      }
    } catch (Throwable e) {
      reportToContext(e);
    } finally {
      closed.tryComplete();
    }
  }

  private void deliver(Handler<Change> h, Object item) {
    try {
      if (item instanceof Gap gap) {
        Handler<Throwable> onError;
        synchronized (this) {
          onError = exceptionHandler;
        }
        ChangesDroppedException e = new ChangesDroppedException(gap.count);
        if (onError != null) {
          onError.handle(e);
        } else {
          LOG.log(System.Logger.Level.WARNING, "change stream: " + e.getMessage());
        }
      } else {
        h.handle((Change) item);
      }
    } catch (Throwable e) { // the app's bug on one item must not strand the ones behind it
      reportToContext(e);
    }
  }

  private void reportToContext(Throwable e) {
    Handler<Throwable> ctxHandler = context.exceptionHandler();
    if (ctxHandler != null) {
      ctxHandler.handle(e);
    } else {
      LOG.log(System.Logger.Level.ERROR, "change stream handler failed", e);
    }
  }
}

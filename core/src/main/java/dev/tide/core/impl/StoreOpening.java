package dev.tide.core.impl;

import dev.tide.core.StoreException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Closeable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opening a store: the address prefix is claimed in the Vert.x instance (two stores on one prefix would
 * each hear the other's changes as their own), then the writer, the reader and the store are made, each
 * failure closing what was opened before it, and sync starts if asked.
 */
final class StoreOpening {

  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final AtomicLong OPENS = new AtomicLong();

  private StoreOpening() {
  }

  static Future<Tide> open(Vertx vertx, TideOptions options) {
    // two stores on one prefix would each hear the other's changes as their own
    String prefix = options.getAddressPrefix();
    String owner = options.getDbPath() + " #" + OPENS.incrementAndGet();
    String other;
    String overlapping = null;
    synchronized (StoreOpening.class) { // the check and the claim at once: two opens must not both pass
      io.vertx.core.shareddata.LocalMap<String, String> held = prefixes(vertx);
      other = held.get(prefix);
      if (other == null) {
        // "a" and "a.changes": the first's collection "changes" is published on the second's address()
        for (String p : held.keySet()) {
          if (within(prefix, p) || within(p, prefix)) {
            overlapping = p;
            other = held.get(p);
            break;
          }
        }
      }
      if (other == null) {
        held.put(prefix, owner);
      }
    }
    if (other != null) {
      String otherPath = other.substring(0, other.lastIndexOf(" #"));
      return Future.failedFuture(new StoreException(overlapping != null
        ? "addressPrefix '" + prefix + "' overlaps addressPrefix '" + overlapping + "' of another open store of this"
          + " Vert.x instance (" + otherPath + "): one store's change addresses would be the other's; give each"
          + " store a prefix that does not start with another's followed by '.changes'"
        : otherPath.equals(options.getDbPath())
        ? otherPath + " is already open by another store instance in this process"
        : "addressPrefix '" + prefix + "' is used by another open store of this Vert.x instance (" + otherPath
          + "): give each store its own"));
    }
    // closed with what opened it even while it opens: a close of the opener (its verticle undeployed,
    // Vert.x closed) waits for the open, which then closes what it opened and fails
    ContextInternal caller = (ContextInternal) vertx.getOrCreateContext();
    Promise<Tide> opened = Promise.promise();
    Closeable whileOpening = completion -> opened.future().<Void>transform(ar -> Future.succeededFuture()).onComplete(completion);
    if (!caller.closeFuture().add(whileOpening)) {
      prefixes(vertx).remove(prefix, owner);
      return Future.failedFuture(closedWhileOpening(options));
    }
    Future<Tide> store;
    try {
      store = openStore(vertx, caller, options);
    } catch (RuntimeException e) { // the hook must not wait for an open that never began
      store = Future.failedFuture(e);
    }
    store.onFailure(e -> prefixes(vertx).remove(prefix, owner))
      .onSuccess(tide -> ((TideImpl) tide).claimed(prefix, owner))
      .onComplete(opened);
    return opened.future().andThen(ar -> caller.closeFuture().remove(whileOpening));
  }

  /** True when a store on {@code prefix} has addresses within those of a store on {@code outer} (its collections'). */
  private static boolean within(String prefix, String outer) {
    String changes = outer + ".changes";
    return prefix.equals(changes) || prefix.startsWith(changes + ".");
  }

  private static StoreException closedWhileOpening(TideOptions options) {
    return new StoreException("cannot open store " + options.getDbPath()
      + ": what opened it (its verticle, or Vert.x) was closed meanwhile");
  }

  static void release(Vertx vertx, String prefix, String owner) {
    prefixes(vertx).remove(prefix, owner);
  }

  /** The address prefixes of the stores open in a Vert.x instance, each with its owner. */
  private static io.vertx.core.shareddata.LocalMap<String, String> prefixes(Vertx vertx) {
    return vertx.sharedData().getLocalMap("tide.address-prefixes");
  }

  private static Future<Tide> openStore(Vertx vertx, Context context, TideOptions options) {
    String name = "tide-" + INSTANCES.incrementAndGet();
    WorkerExecutor writerExecutor = StoreWorkers.create(vertx, name + "-writer", 1);
    WorkerExecutor readerExecutor = StoreWorkers.create(vertx, name + "-reader", 1);
    String path = options.getDbPath();
    // each failure closes what was opened before it, and fails the open only then: a retry finds the file free
    return writerExecutor.executeBlocking(() -> WriterStore.open(path, options.getSynchronous()))
      .compose(store -> readerExecutor.executeBlocking(() -> ReaderStore.open(path, store.nodeId()))
        .<Tide>compose(reader -> onContext(context, () -> new TideImpl(vertx, context, options, writerExecutor, readerExecutor,
          store, reader)).recover(e -> closeThenFail(readerExecutor, reader::close, e)))
        .recover(e -> closeThenFail(writerExecutor, store::close, e)))
      .recover(e -> {
        writerExecutor.close();
        readerExecutor.close();
        return Future.failedFuture(e);
      })
      // what opened it closed meanwhile: no close hook would close the store, so it closes now
      .compose(tide -> ((TideImpl) tide).hooked() ? Future.succeededFuture(tide)
        : tide.close().transform(closed -> Future.<Tide>failedFuture(closedWhileOpening(options))))
      .compose(tide -> options.getSync() == null || !options.getSync().isAutoStart() ? Future.succeededFuture(tide)
        : tide.startSync().map(tide).recover(e -> tide.close().transform(closed -> Future.failedFuture(e))));
  }

  private static <T> Future<T> closeThenFail(WorkerExecutor executor, Runnable close, Throwable failure) {
    return executor.executeBlocking(() -> {
      close.run();
      return null;
    }).transform(closed -> Future.failedFuture(failure));
  }

  /**
   * Builds on the store's context: a transport that keeps the current context (WebSocket) then shares
   * it with the sync engine, so requests and pushes cost no hand-off between two event loops (when
   * opened from a non-Vert.x thread, the executors' futures complete on another context).
   */
  private static Future<Tide> onContext(Context context, java.util.function.Supplier<Tide> make) {
    Promise<Tide> made = Promise.promise();
    context.runOnContext(v -> {
      try {
        made.complete(make.get());
      } catch (Throwable e) { // a transport that cannot load (ServiceConfigurationError) must fail the open, not hang it
        made.fail(e);
      }
    });
    return made.future();
  }
}

package dev.tide.core;

import dev.tide.core.impl.TideImpl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.function.Consumer;

/**
 * A local-first document store: JSON documents in named collections, kept in one SQLite file.
 * Every write is committed locally at once with an entry in the outbox, and syncs with a server in
 * the background. Every committed change, local or remote, is published on the event bus after commit:
 * on {@link #address()} for all collections and on {@link TideCollection#address()} per collection.
 * <p>
 * All methods are non-blocking: SQLite work runs on one writer thread and one reader thread, never on
 * an event loop. Futures complete on the caller's context (or the store's, from a non-Vert.x thread).
 */
public interface Tide {

  /**
   * Opens (creating or migrating) the store at {@link TideOptions#getDbPath()}. It is closed by
   * {@link #close()}, or with what opened it: the verticle that opened it is undeployed, or Vert.x closes.
   */
  static Future<Tide> open(Vertx vertx, TideOptions options) {
    if (vertx == null || options == null) { // failed, not thrown, like every other call
      return Future.failedFuture(new IllegalArgumentException((vertx == null ? "vertx" : "options") + " must not be null"));
    }
    return TideImpl.open(vertx, new TideOptions(options));
  }

  /** A collection; throws {@link InvalidChangeException} for a bad name. */
  TideCollection collection(String name);

  /** Commits several writes in one transaction; completes with their stamps in call order. */
  Future<List<Stamp>> batch(Consumer<Batch> writes);

  /** Number of local writes not yet acknowledged by the server. */
  Future<Long> pendingCount();

  /** This store's node id: random, URL-safe, generated once and persisted. */
  String nodeId();

  /** Committed changes of every collection, local and remote, from now on. */
  ChangeStream watch();

  /** The event-bus address where changes of every collection are published. */
  String address();

  // ---- sync (needs TideOptions.setSync); PROTOCOL.md section 5 describes what a sync does

  /**
   * Pushes the outbox and pulls until caught up; completes with what it did. Calls made while a sync
   * runs coalesce into one follow-up sync (never two exchanges at once). Fails with a
   * {@link SyncException} if the server refuses, and with a {@link SyncUnreachableException} if it
   * cannot be reached or the connection fails; nothing acknowledged locally is lost either way.
   */
  Future<SyncResult> syncOnce();

  /**
   * Syncs in the background: promptly after local writes, every {@link SyncOptions#getIntervalMs()}
   * (unless the transport pushes), and after failures with exponential backoff and jitter.
   */
  Future<Void> startSync();

  /** {@link #startSync()} with this polling interval instead of {@link SyncOptions#getIntervalMs()}. */
  Future<Void> startSync(java.time.Duration interval);

  /**
   * Stops background sync; completes when the sync in flight (if any) has ended. Until it is started
   * again, changes a WebSocket server pushes are not applied (the next sync brings them).
   */
  Future<Void> stopSync();

  /** The current sync state, pending count and pull progress. */
  Future<SyncStatus> syncStatus();

  /** Completes once a sync has pulled everything there was (at once if that happened before, even in an earlier run). */
  Future<Void> initialSync();

  /** The event-bus address of {@link SyncStatus} changes (JSON). */
  String statusAddress();

  /**
   * The event-bus address of ops the server rejected: JSON {@code {collection, id, stamp, code, message}}.
   * A rejected write stays in this store and is not sent again.
   */
  String rejectedAddress();

  /** Waits for queued writes to commit, then closes the store. Later calls fail with {@link StoreException}. */
  Future<Void> close();
}

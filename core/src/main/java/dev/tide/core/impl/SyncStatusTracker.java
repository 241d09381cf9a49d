package dev.tide.core.impl;

import dev.tide.core.SyncException;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.TideException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The sync state shown to apps: kept by the engine (on the store's context), read with
 * {@link #status()}, and published as JSON on {@code <prefix>.sync.status} whenever it changes.
 */
final class SyncStatusTracker {

  private final TideImpl tide;
  private final String address;
  private SyncStatus.State state = SyncStatus.State.IDLE;
  private long lastSuccessAt;
  private String lastError;
  private long pulled;
  private long remaining;
  private boolean caughtUp;
  private JsonObject lastPublished;
  private final Context context;
  private boolean pendingChanged;

  SyncStatusTracker(TideImpl tide, Context context, String address, boolean caughtUp) {
    this.tide = tide;
    this.context = context;
    this.address = address;
    this.caughtUp = caughtUp;
  }

  /**
   * Local writes changed the pending count (on the store's context): published too, even while sync is
   * stopped or backing off. Once per event-loop turn: a burst of commits gives one status.
   */
  void pendingChanged() {
    if (!pendingChanged) {
      pendingChanged = true;
      context.runOnContext(v -> {
        pendingChanged = false;
        publish();
      });
    }
  }

  /** A sync run starts: progress counts from zero. */
  void syncing() {
    pulled = 0;
    set(SyncStatus.State.SYNCING, lastError);
  }

  /** Changes received (by a pull or a push) and the server's estimate of what is left. */
  void progress(int received, long remaining) {
    pulled += received;
    this.remaining = remaining;
    publish();
  }

  void caughtUp() {
    caughtUp = true;
  }

  void succeeded() {
    lastSuccessAt = System.currentTimeMillis();
    set(SyncStatus.State.IDLE, null);
  }

  void failed(Throwable failure) {
    set(classify(failure), String.valueOf(failure.getMessage()));
  }

  static SyncStatus.State classify(Throwable failure) {
    if (failure instanceof SyncUnreachableException) {
      return SyncStatus.State.OFFLINE;
    }
    if (failure instanceof SyncException e) {
      return e.status() == 401 ? SyncStatus.State.UNAUTHORIZED : SyncStatus.State.ERROR;
    }
    if (failure instanceof TideException) {
      return SyncStatus.State.ERROR; // local store trouble or a malformed response
    }
    return SyncStatus.State.OFFLINE;
  }

  Future<SyncStatus> status() {
    return tide.pendingCount().map(this::snapshot);
  }

  private void set(SyncStatus.State state, String error) {
    this.state = state;
    this.lastError = error;
    publish();
  }

  private SyncStatus snapshot(long pending) {
    return new SyncStatus(state, pending, lastSuccessAt, lastError, pulled, remaining, caughtUp);
  }

  private void publish() {
    tide.pendingCount().onSuccess(pending -> {
      JsonObject json = snapshot(pending).toJson();
      if (!json.equals(lastPublished)) {
        lastPublished = json;
        tide.vertx().eventBus().publish(address, json);
      }
    });
  }
}

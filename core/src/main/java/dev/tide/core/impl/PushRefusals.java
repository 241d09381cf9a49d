package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.SyncException;
import dev.tide.core.SyncResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gets a push past a server's refusal of one of its ops (PROTOCOL.md, section 5), so that one op never
 * blocks the outbox: an op the refusal names is dropped; a refusal of the whole request that names none
 * (413, or 400 {@code invalid_json}) halves the push until the op at fault is alone, then drops it. Owns
 * the push size the server accepts, and tells the app of every op rejected. Confined to the sync
 * engine's context.
 */
final class PushRefusals {

  /** Told of each op dropped as rejected. */
  interface Rejected {
    void rejected(Change op, String code, String message);
  }

  // at most 9 digits: a longer index names no op of a push (and would not parse as an int)
  private static final Pattern OP_FIELD = Pattern.compile("ops\\[(\\d{1,9})]");

  private final GroupCommitWriter<WriterStore> writer;
  private final Context context;
  private final int configuredOps;
  private final EventBus eventBus;
  private final String rejectedAddress;
  private ExchangeSize.Window pushSize;

  PushRefusals(GroupCommitWriter<WriterStore> writer, Context context, int configuredOps, EventBus eventBus, String rejectedAddress) {
    this.writer = writer;
    this.context = context;
    this.configuredOps = Math.max(1, configuredOps);
    this.pushSize = fullSize();
    this.eventBus = eventBus;
    this.rejectedAddress = rejectedAddress;
  }

  /** Tells the app of an op the server rejected, on {@code <prefix>.sync.rejected}. */
  void publishRejected(Change op, String code, String message) {
    eventBus.publish(rejectedAddress, new JsonObject().put("collection", op.collection()).put("id", op.id())
      .put("stamp", op.stamp().toJson()).put("code", code).put("message", message));
  }

  /** Tells the app of the ops a response rejected one by one; returns how many. */
  int publishRejected(List<Change> ops, List<OpResult> results) {
    int rejected = 0;
    for (int i = 0; i < ops.size(); i++) {
      OpResult r = results.get(i);
      if (r.status() == OpResult.Status.REJECTED) {
        rejected++;
        publishRejected(ops.get(i), r.code(), r.message());
      }
    }
    return rejected;
  }

  /** Ops to push in the next request. */
  int pushBatchOps() {
    return pushSize.size();
  }

  /**
   * While the op at fault is still queued, at most one push in a row gets through (the next holds it again),
   * so a size halved by a refusal grows back after two full pushes in a row: the op is gone (overwritten
   * locally, or beaten by a pulled change) or the server takes larger pushes than it did. A probe refused
   * again (the server's limit is below it) doubles the wait, up to {@link ExchangeSize.Window#PROBE_AFTER_MAX}.
   */
  private ExchangeSize.Window fullSize() {
    return new ExchangeSize.Window(configuredOps, 2);
  }

  /** A push got through; {@code opsSent} as {@link ExchangeSize#succeeded}. */
  void carried(int opsSent) {
    pushSize.carried(opsSent);
  }

  /**
   * The way past {@code e} for the push of {@code batch}: completes with true (exchange again at once), or
   * fails with {@code e} when it is not the op's fault. Null if {@code e} is no refusal of an op.
   *
   * @param probe the same request without ops (a one-change pull, its answer unused)
   */
  Future<Boolean> recover(SyncException e, OutboxBatch batch, Supplier<Future<SyncResponse>> probe, Rejected rejected) {
    boolean wholeRefused = e.status() == 413 || e.status() == 400 && "invalid_json".equals(e.code());
    if (wholeRefused && batch.ops().size() > 1) {
      pushSize.lost(batch.ops().size());
      return Future.succeededFuture(true);
    }
    if (wholeRefused && batch.ops().size() == 1) {
      // one op alone is refused by this server: it can never be accepted, so it must not block the rest
      Change op = batch.ops().get(0);
      String code = e.status() == 413 ? "too_large" : e.code();
      return opAtFault(e, probe)
        .compose(v -> drop(op))
        .map(v -> {
          pushSize = fullSize(); // the next pushes halve again only if they must
          rejected.rejected(op, code, String.valueOf(e.serverMessage()));
          return true;
        });
    }
    Matcher m = e.status() == 400 && e.field() != null ? OP_FIELD.matcher(e.field()) : null;
    if (m != null && m.lookingAt() && Integer.parseInt(m.group(1)) < batch.ops().size()) {
      Change op = batch.ops().get(Integer.parseInt(m.group(1)));
      return drop(op).map(v -> {
        // the op is named by the event: "ops[3].doc: ..." says "doc: ..."
        rejected.rejected(op, e.code(), String.valueOf(e.serverMessage()).replaceFirst("^ops\\[\\d+]\\.?", ""));
        return true;
      });
    }
    return null;
  }

  /**
   * Before an op refused with {@code invalid_json} is dropped: the probe must be read by the server
   * (answered, or 409 for a reset, which the next exchange then makes), else the request itself is at
   * fault, not the op, and this fails with {@code refusal} (nothing is dropped).
   */
  private Future<Void> opAtFault(SyncException refusal, Supplier<Future<SyncResponse>> probe) {
    if (refusal.status() == 413) {
      return Future.succeededFuture();
    }
    return probe.get().transform(ar -> {
      if (ar.succeeded() || ar.cause() instanceof SyncException p && p.status() == 409) {
        return Future.succeededFuture();
      }
      pushSize = fullSize(); // no op's fault: pushes need not stay small
      return Future.failedFuture(refusal);
    });
  }

  private Future<Void> drop(Change op) {
    return writer.submit(new DropRejected(context, op));
  }

  /** Removes an op the server refused, so it never jams the outbox. */
  private static final class DropRejected extends WriteTask<WriterStore, Void> {
    private final Change op;

    DropRejected(Context context, Change op) {
      super(context);
      this.op = op;
    }

    @Override
    protected Void run(WriterStore store, List<Change> events) throws SQLException {
      store.dropOutboxEntry(op.stamp().counter());
      return null;
    }
  }
}

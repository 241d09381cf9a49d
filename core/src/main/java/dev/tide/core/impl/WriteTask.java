package dev.tide.core.impl;

import dev.tide.core.Change;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.sql.SQLException;
import java.util.List;

/**
 * One unit of work for {@link GroupCommitWriter}: runs inside a shared transaction on the writer
 * thread; its future completes on the submitter's context only after that transaction commits.
 */
public abstract class WriteTask<S, T> {

  final Context context;
  final Promise<T> promise = Promise.promise();
  T result;

  protected WriteTask(Context context) {
    this.context = context;
  }

  /**
   * Does the work in the current transaction; adds the changes it committed to {@code events}.
   * Throwing rolls the transaction back; the writer then retries the tasks of the group one by one,
   * so only the failing task fails.
   */
  protected abstract T run(S store, List<Change> events) throws SQLException;

  /** How many writes this task counts for against the group size limit. */
  protected int weight() {
    return 1;
  }

  public Future<T> future() {
    return promise.future();
  }
}

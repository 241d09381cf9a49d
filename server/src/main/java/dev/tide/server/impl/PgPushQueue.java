package dev.tide.server.impl;

import dev.tide.core.OpResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Group commit for one instance's pushes to PostgreSQL: pushes that arrive while its transaction runs go
 * together in the next one. Every push holds the meta row's lock until it commits, so the database takes
 * one push at a time from all instances anyway; grouped, they share its round trips and its WAL flush.
 * Each push keeps its own results; a group that fails on one push's data is tried again push by push, so
 * that push fails alone.
 */
final class PgPushQueue {

  /** Ops in one grouped transaction at most, as the SQLite writer groups them (a single push may be larger). */
  static final int MAX_GROUP_OPS = 10_000;
  /** SQLSTATE classes of a failure one push's data may cause alone: data exception, integrity, program limit. */
  private static final Set<String> DATA_FAILURES = Set.of("22", "23", "54");

  private record Queued(PgPush.Request request, Promise<List<OpResult>> promise) {
  }

  private final Function<List<PgPush.Request>, Future<List<List<OpResult>>>> transaction;
  private final ArrayDeque<Queued> queued = new ArrayDeque<>(); // guarded by this
  private boolean running; // guarded by this: a transaction of this queue runs

  /** @param transaction applies requests in one transaction and gives each one's results, in order */
  PgPushQueue(Function<List<PgPush.Request>, Future<List<List<OpResult>>>> transaction) {
    this.transaction = transaction;
  }

  Future<List<OpResult>> submit(PgPush.Request request) {
    Promise<List<OpResult>> promise = Promise.promise();
    synchronized (this) {
      queued.add(new Queued(request, promise));
    }
    drain();
    return promise.future();
  }

  private void drain() {
    List<Queued> group = new ArrayList<>();
    synchronized (this) {
      if (running || queued.isEmpty()) {
        return;
      }
      int ops = 0;
      while (!queued.isEmpty() && (group.isEmpty() || ops + queued.peek().request().ops().size() <= MAX_GROUP_OPS)) {
        Queued q = queued.poll();
        ops += q.request().ops().size();
        group.add(q);
      }
      running = true;
    }
    commit(group).onComplete(ar -> {
      synchronized (this) {
        running = false;
      }
      drain();
    });
  }

  private Future<Void> commit(List<Queued> group) {
    List<PgPush.Request> requests = new ArrayList<>(group.size());
    group.forEach(q -> requests.add(q.request()));
    Future<List<List<OpResult>>> done;
    try {
      done = transaction.apply(requests);
    } catch (RuntimeException e) { // a bug must not leave the queue stopped
      done = Future.failedFuture(e);
    }
    return done.transform(ar -> {
      if (ar.succeeded()) {
        for (int i = 0; i < group.size(); i++) {
          group.get(i).promise().complete(ar.result().get(i));
        }
        return Future.succeededFuture();
      }
      if (group.size() > 1 && causedByData(ar.cause())) {
        Future<Void> alone = Future.succeededFuture();
        for (Queued q : group) {
          alone = alone.transform(v -> commit(List.of(q)));
        }
        return alone;
      }
      group.forEach(q -> q.promise().fail(ar.cause()));
      return Future.succeededFuture();
    });
  }

  /** A failure another push of the group may not share (its data); not a lost connection or a lock wait. */
  static boolean causedByData(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() == 5) {
        return DATA_FAILURES.contains(pg.getSqlState().substring(0, 2));
      }
    }
    return false;
  }
}

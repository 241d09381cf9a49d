package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pushes in one PostgreSQL transaction (one, or several grouped by {@link PgServerStore}), under the same last-writer-wins rules as the SQLite store's
 * {@code ServerWriter.apply} (see there for why each rule exists). The meta row is locked first, so pushes
 * from every instance commit one at a time, in the order of their sequences: a pull never sees a
 * sequence commit below one it has already passed.
 * <p>
 * Ops are sent in runs, each run one pipelined batch: consecutive ops of distinct documents whose stamp
 * is above every purged tombstone's. Each op of a run takes the next sequence whether it applies or not
 * (a superseded op leaves a gap; cursors only need order). A run ends at a document already in it, so an
 * op's follow-up read (was it a replay?) sees no later op of the same request.
 */
final class PgPush {

  /** The database's clock in ms: commit times and purges of every instance agree whatever their own clocks say. */
  static final String NOW_MS = "(extract(epoch from statement_timestamp()) * 1000)::bigint";
  private static final String COLUMNS = "INSERT INTO tide_server_docs(ns, collection, id, counter, node, deleted, body, seq,"
    + " committed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ns, collection, id) DO UPDATE SET"
    + " counter = excluded.counter, node = excluded.node, deleted = excluded.deleted, body = excluded.body,"
    + " seq = excluded.seq, committed_at = excluded.committed_at";
  private static final String UPSERT = COLUMNS;
  private static final String UPSERT_IF_NEWER = COLUMNS
    + " WHERE (excluded.counter, excluded.node) > (tide_server_docs.counter, tide_server_docs.node)";
  // the stored state only for an op whose stamp is the stored one (rare): a superseded op reads no body
  private static final String STORED = "SELECT counter, node, CASE WHEN counter = $4 AND node = $5 THEN deleted END,"
    + " CASE WHEN counter = $4 AND node = $5 THEN body END FROM tide_server_docs WHERE ns = $1 AND collection = $2 AND id = $3";

  /** One client's push: its namespace and ops. */
  record Request(String ns, List<Change> ops) {
  }

  /**
   * What the transaction did: a result per op of each request, the commit to report (null if nothing was
   * applied), and the meta row as it found it (the highest sequence and the purged one before its commit).
   */
  record Outcome(List<List<OpResult>> results, CommittedChanges committed, long fromSeq, long purgedSeq) {
  }

  private record Key(String collection, String id) {
  }

  private final SqlConnection conn;
  private final List<List<OpResult>> outcomes = new ArrayList<>();
  // the request being applied
  private String ns;
  private List<Change> ops;
  private OpResult[] results;
  private final CommitLog log = new CommitLog();
  private long now;
  private long fromSeq;
  private long seq;
  private long appliedTop;
  private long clockBase;
  private long maxCounter;
  private long purgedCounter;
  private long purgedSeq;

  private PgPush(SqlConnection conn) {
    this.conn = conn;
  }

  /**
   * Applies the requests in order on {@code conn}, inside a transaction the caller commits. When something
   * applied, a notification on {@code channel} (naming this {@code instance}) is sent, which PostgreSQL
   * delivers at commit.
   */
  static Future<Outcome> run(SqlConnection conn, List<Request> requests, String channel, String instance) {
    PgPush push = new PgPush(conn);
    return conn.query("SELECT last_seq, purged_seq, purged_counter, max_counter, " + NOW_MS + " FROM tide_server_meta WHERE id = 1 FOR UPDATE")
      .execute()
      .compose(rows -> {
        Row meta = rows.iterator().next();
        push.fromSeq = meta.getLong(0);
        push.seq = push.fromSeq;
        push.appliedTop = push.fromSeq;
        push.purgedSeq = meta.getLong(1);
        push.purgedCounter = meta.getLong(2);
        push.clockBase = meta.getLong(3);
        push.maxCounter = push.clockBase;
        push.now = meta.getLong(4);
        push.log.begin(push.fromSeq);
        return push.apply(requests, 0);
      })
      .compose(v -> push.finish(channel, instance));
  }

  /** Applies requests from {@code i} on, one after the other: a later one sees what an earlier one wrote. */
  private Future<Void> apply(List<Request> requests, int i) {
    if (i == requests.size()) {
      return Future.succeededFuture();
    }
    ns = requests.get(i).ns();
    ops = requests.get(i).ops();
    results = new OpResult[ops.size()];
    return from(0).compose(v -> {
      outcomes.add(Arrays.asList(results));
      return apply(requests, i + 1);
    });
  }

  private Future<Outcome> finish(String channel, String instance) {
    List<List<OpResult>> list = outcomes;
    if (appliedTop == fromSeq) {
      return Future.succeededFuture(new Outcome(list, null, fromSeq, purgedSeq));
    }
    // one round trip for both: a push is a handful of them, and each is felt in live latency
    return conn.preparedQuery("WITH u AS (UPDATE tide_server_meta SET last_seq = $1, max_counter = $2 WHERE id = 1 RETURNING 1)"
        + " SELECT pg_notify($3, $4) FROM u")
      .execute(Tuple.of(appliedTop, maxCounter, channel, PgServerStore.payload(instance, appliedTop, purgedSeq)))
      .map(v -> new Outcome(list, log.committed(appliedTop), fromSeq, purgedSeq));
  }

  /** Applies ops from {@code i} on: a run of common ops as one batch, or one op below a purged tombstone's stamp. */
  private Future<Void> from(int i) {
    List<Integer> run = new ArrayList<>();
    Set<Key> keys = new HashSet<>();
    int next = i;
    for (; next < ops.size(); next++) {
      Change op = ops.get(next);
      if (aheadOfClock(op)) {
        results[next] = OpResult.rejected("clock_ahead", "stamp counter " + op.stamp().counter() + " is more than 2^30 above"
          + " the highest this server had committed before this request (" + clockBase + "): the writer's clock is wrong");
        continue;
      }
      if (belowPurged(op) || !keys.add(new Key(op.collection(), op.id()))) {
        break;
      }
      run.add(next);
    }
    if (!run.isEmpty()) {
      int after = next;
      return batch(run).compose(v -> from(after));
    }
    if (next == ops.size()) {
      return Future.succeededFuture();
    }
    int at = next; // the loop stops on an empty run only at an op below the purged counter
    return belowPurged(at).compose(v -> from(at + 1));
  }

  private boolean aheadOfClock(Change op) {
    return op.stamp().counter() > clockBase + SyncProtocol.MAX_CLOCK_AHEAD;
  }

  private boolean belowPurged(Change op) {
    return purgedCounter != 0 && op.stamp().counter() <= purgedCounter;
  }

  /** One run: every op written if its stamp is higher than the stored one, then a second look at those that were not. */
  private Future<Void> batch(List<Integer> run) {
    List<Tuple> writes = new ArrayList<>(run.size());
    long[] seqs = new long[run.size()];
    for (int k = 0; k < run.size(); k++) {
      seqs[k] = ++seq;
      writes.add(write(ops.get(run.get(k)), seqs[k]));
    }
    return conn.preparedQuery(UPSERT_IF_NEWER).executeBatch(writes).compose(rows -> {
      List<Integer> notWritten = new ArrayList<>();
      RowSet<Row> r = rows;
      for (int k = 0; k < run.size(); k++, r = r.next()) {
        if (r.rowCount() == 1) {
          applied(run.get(k), seqs[k]);
        } else {
          notWritten.add(run.get(k));
        }
      }
      if (notWritten.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Tuple> reads = new ArrayList<>(notWritten.size());
      notWritten.forEach(k -> reads.add(stored(ops.get(k))));
      return conn.preparedQuery(STORED).executeBatch(reads).map(stored -> {
        RowSet<Row> s = stored;
        for (int k : notWritten) {
          Row row = s.iterator().hasNext() ? s.iterator().next() : null;
          results[k] = row != null && row.getValue(2) != null ? sameStamp(ops.get(k), row) : OpResult.SUPERSEDED;
          s = s.next();
        }
        return null;
      });
    });
  }

  /** An op at or below a purged tombstone's counter: a missing document may be one whose tombstone was purged. */
  private Future<Void> belowPurged(int i) {
    Change op = ops.get(i);
    return conn.preparedQuery(STORED).execute(stored(op)).compose(rows -> {
      Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
      if (row == null) { // resurrected only once its writer stamped it above every counter here (ServerWriter.apply)
        results[i] = OpResult.restamp(maxCounter);
        return Future.succeededFuture();
      }
      if (row.getValue(2) != null) {
        results[i] = sameStamp(op, row);
        return Future.succeededFuture();
      }
      if (!op.stamp().beats(new Stamp(row.getLong(0), row.getString(1)))) {
        results[i] = OpResult.SUPERSEDED;
        return Future.succeededFuture();
      }
      long at = ++seq;
      return conn.preparedQuery(UPSERT).execute(write(op, at)).map(v -> {
        applied(i, at);
        return null;
      });
    });
  }

  /** The stamp stored is the op's: a replay if the state is the same too, else a reused stamp to be stamped again. */
  private OpResult sameStamp(Change op, Row row) {
    boolean same = row.getBoolean(2) == op.deleted() && ServerWriter.sameDoc(row.getString(3), op.docJson());
    return same ? OpResult.APPLIED : OpResult.restamp(maxCounter);
  }

  private void applied(int i, long at) {
    Change op = ops.get(i);
    results[i] = OpResult.APPLIED;
    appliedTop = at;
    maxCounter = Math.max(maxCounter, op.stamp().counter());
    log.written(ns, new StoredChange(at, op.collection(), op.id(), op.stamp(), op.docJson()));
  }

  private Tuple write(Change op, long at) {
    return Tuple.of(ns, op.collection(), op.id(), op.stamp().counter(), op.stamp().node(), op.deleted(), op.docJson(), at)
      .addLong(now);
  }

  private Tuple stored(Change op) {
    return Tuple.of(ns, op.collection(), op.id(), op.stamp().counter(), op.stamp().node());
  }
}

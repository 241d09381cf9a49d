package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared server store: PostgreSQL through vertx-pg-client, so that several server instances serve
 * one database. Every commit that changes data sends a NOTIFY on the schema's channel; each instance
 * LISTENs and wakes its WebSocket pushes on the others' commits ({@link CommittedChanges#unknown}), and
 * its own commits are reported in-process with what they wrote, as the SQLite store's are.
 * <p>
 * {@link #lastSeq()} and {@link #purgedSeq()} are what this instance knows: raised by its own commits, by
 * notifications, and by every page it reads (a page's snapshot is never older than what it tells). A
 * cursor from another instance may be ahead of them for a moment: {@link #refresh()} reads them again.
 */
public final class PgServerStore implements ServerStore {

  /**
   * One statement, so one snapshot: the meta row (highest sequence, purged sequence) and the page. The
   * window sums each change's estimated bytes ({@link PageReader#estimatedBytes}: 100 + UTF-8 bytes of
   * its document) so that only the changes that fit are sent with their documents; {@code total} tells
   * whether more were due.
   */
  private static final System.Logger LOG = System.getLogger(PgServerStore.class.getName());
  private static final long POLL_MS = 5000;
  private static final long CLOSE_WAIT_SECONDS = 30;
  private static final String PAGE = "SELECT m.last_seq, m.purged_seq, k.seq, k.collection, k.id, k.counter, k.node,"
    + " k.deleted, k.body, k.total FROM tide_server_meta m LEFT JOIN LATERAL (SELECT s.seq, s.collection, s.id, s.counter,"
    + " s.node, s.deleted, s.body, count(*) OVER () AS total, row_number() OVER w AS rn,"
    + " sum(100 + coalesce(octet_length(s.body), 0)) OVER w - (100 + coalesce(octet_length(s.body), 0)) AS before"
    + " FROM (SELECT seq, collection, id, counter, node, deleted, body FROM tide_server_docs"
    + " WHERE ns = $1 AND seq > $2::bigint AND node <> $3 ORDER BY seq LIMIT $4::int + 1) s"
    + " WINDOW w AS (ORDER BY s.seq ROWS UNBOUNDED PRECEDING)) k ON k.rn <= $4::int AND k.before < $5::bigint"
    + " WHERE m.id = 1 ORDER BY k.seq";

  private final Pool pool;
  private final PgSubscriber subscriber;
  private final String epoch;
  private final String channel;
  private final String instance = UUID.randomUUID().toString();
  private final AtomicLong lastSeq;
  private final AtomicLong purgedSeq;
  private final CommitListeners listeners = new CommitListeners();
  private final Set<Future<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final Vertx vertx;
  private final Settings settings;
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean checking = new AtomicBoolean();
  private final PgPushQueue pushes = new PgPushQueue(this::transaction);
  private long poll = -1;
  private long check = -1;
  private volatile boolean closed;
  private Future<Void> closing;

  private PgServerStore(Vertx vertx, Pool pool, PgSubscriber subscriber, PgSchema.Meta meta, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.pool = pool;
    this.subscriber = subscriber;
    this.epoch = meta.epoch();
    this.channel = PgSchema.channel(meta.schema());
    this.lastSeq = new AtomicLong(meta.lastSeq());
    this.purgedSeq = new AtomicLong(meta.purgedSeq());
  }

  /**
   * How a store talks to its database.
   *
   * @param poolSize connections for pushes and pulls
   * @param timeoutSeconds {@link TideServerOptions#getPostgresTimeoutSeconds()}
   * @param pollMillis how often the meta row is read (what a LISTEN connection that missed a notification misses)
   * @param checkMillis how often the LISTEN connection is asked to answer
   * @param listen false only in tests: the store then learns of others' commits by {@link #refresh()} alone
   */
  public record Settings(int poolSize, int timeoutSeconds, long pollMillis, long checkMillis, boolean listen) {

    public static Settings of(int poolSize, int timeoutSeconds) {
      return new Settings(poolSize, timeoutSeconds, POLL_MS, POLL_MS, true);
    }
  }

  /** {@link #open(Vertx, String, Settings)} with the default timeout. */
  public static Future<ServerStore> open(Vertx vertx, String url, int poolSize, boolean listen) {
    return open(vertx, url, new Settings(poolSize, TideServerOptions.DEFAULT_POSTGRES_TIMEOUT_SECONDS, POLL_MS, POLL_MS, listen));
  }

  /**
   * Connects to {@code url} ({@code postgresql://user:password@host:port/database?search_path=schema}),
   * creates the tables if missing, and listens for the other instances' commits.
   */
  public static Future<ServerStore> open(Vertx vertx, String url, Settings settings) {
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      return Future.failedFuture(new StoreException("postgresUrl is not a PostgreSQL URL (" + redacted(url) + "): "
        + redacted(url, e.getMessage())));
    }
    int timeout = settings.timeoutSeconds();
    // pushes lock the meta row and re-read it when the lock is granted: that needs read committed, whatever
    // the database or role sets as default (under repeatable read a waiting push would fail to serialize)
    connect.addProperty("default_transaction_isolation", "read committed");
    // nothing waits for ever on a session that hangs (an instance that died mid-transaction behind a
    // half-open link holds the meta row's lock until the database ends it): a push waiting longer for
    // the lock fails (503, the client retries), and a transaction left idle is ended by the database
    connect.addProperty("lock_timeout", timeout + "s");
    connect.addProperty("idle_in_transaction_session_timeout", 2 * timeout + "s");
    String appName = connect.getProperties().get("application_name");
    if (appName == null || appName.equals(PgConnectOptions.DEFAULT_PROPERTIES.get("application_name"))) {
      connect.addProperty("application_name", "tide-server"); // what pg_stat_activity shows, unless the URL names one
    }
    // a database or link that died without a reset leaves a call unanswered: its connection is closed once it
    // has read nothing for longer than a lock wait may last; connections idle in the pool are closed before that
    NetClientOptions transport = new NetClientOptions().setConnectTimeout(timeout * 1000)
      .setReadIdleTimeout(2 * timeout).setIdleTimeoutUnit(TimeUnit.SECONDS);
    PoolOptions poolOptions = new PoolOptions().setMaxSize(settings.poolSize()).setIdleTimeout(timeout)
      .setIdleTimeoutUnit(TimeUnit.SECONDS);
    Pool pool = PgBuilder.pool().with(poolOptions).with(transport).connectingTo(connect).using(vertx).build();
    return PgSchema.open(pool, PgSchema.searchPathSchema(connect.getProperties().get("search_path"))).compose(meta -> {
      PgSubscriber subscriber = settings.listen() ? PgSubscriber.subscriber(vertx, connect).reconnectPolicy(attempts -> 1000L) : null;
      PgServerStore store = new PgServerStore(vertx, pool, subscriber, meta, settings);
      return store.listen().<ServerStore>map(store)
        .recover(e -> store.close().transform(v -> Future.failedFuture(e)));
    }, e -> pool.close().transform(v -> Future.failedFuture(unavailable("cannot open the PostgreSQL store", e))));
  }

  private Future<Void> listen() {
    if (subscriber == null) {
      return Future.succeededFuture();
    }
    // a LISTEN connection that died without a reset (a NAT dropping it) tells nothing: the meta row is read
    // every few seconds, so another instance's commit is pushed here within that time at worst, and the
    // connection is asked to answer as often, and replaced when it does not
    poll = vertx.setPeriodic(settings.pollMillis(), id -> {
      if (polling.compareAndSet(false, true)) { // one at a time: a read on a dead connection lasts until it is closed
        poll().onComplete(ar -> polling.set(false));
      }
    });
    check = vertx.setPeriodic(settings.checkMillis(), id -> checkListening());
    subscriber.channel(channel)
      .handler(this::notified)
      .subscribeHandler(v -> {
        if (closed) { // a reconnection the close did not stop (PgSubscriber connects again after its timer)
          var conn = subscriber.actualConnection();
          if (conn != null) {
            conn.close();
          }
          return;
        }
        poll(); // after a reconnection (and the first LISTEN): notifications sent meanwhile are lost
      });
    return subscriber.connect().recover(e -> Future.failedFuture(unavailable("cannot LISTEN for other instances' commits", e)));
  }

  /**
   * Asks the LISTEN connection to answer; one that does not within the timeout is closed, and PgSubscriber
   * connects again (a connection that died without a reset would otherwise be kept, and deliver nothing, for ever).
   */
  private void checkListening() {
    PgConnection conn = subscriber.actualConnection();
    if (conn == null || closed || !checking.compareAndSet(false, true)) {
      return; // connecting again, or the last check is still waiting
    }
    conn.query("SELECT 1").execute().timeout(settings.timeoutSeconds(), TimeUnit.SECONDS).onComplete(ar -> {
      checking.set(false);
      if (ar.failed() && !closed) {
        LOG.log(System.Logger.Level.WARNING, "the PostgreSQL LISTEN connection did not answer in " + settings.timeoutSeconds()
          + " s (" + ar.cause().getMessage() + "): connecting again");
        conn.close();
      }
    });
  }

  /** Reads the meta row; wakes the pushes if another instance committed or purged since this one last heard. */
  private Future<Void> poll() {
    long seq = lastSeq.get();
    long purged = purgedSeq.get();
    return refresh().onSuccess(v -> {
      if (lastSeq.get() != seq || purgedSeq.get() != purged) {
        listeners.fire(CommittedChanges.unknown(lastSeq.get()));
      }
    });
  }

  /** The URL without its password, to print or log. */
  public static String redacted(String url) {
    return url.replaceFirst("(://[^:/@]*:)[^@/]*@", "$1***@").replaceAll("([?&]password=)[^&]*", "$1***");
  }

  /** A message without the URL's password, wherever it quotes the URL. */
  public static String redacted(String url, String message) {
    return message == null ? null : message.replace(url, redacted(url));
  }

  /** A notification's payload: the committing instance, the highest sequence and the purged sequence after its commit. */
  static String payload(String instance, long lastSeq, long purgedSeq) {
    return instance + " " + lastSeq + " " + purgedSeq;
  }

  private void notified(String payload) {
    String[] parts = payload == null ? new String[0] : payload.split(" ");
    if (parts.length == 3 && parts[0].equals(instance)) {
      return; // this instance's own commit, reported when it committed
    }
    try {
      raise(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      listeners.fire(CommittedChanges.unknown(lastSeq.get()));
    } catch (RuntimeException e) { // not ours (someone else's NOTIFY on the channel): look for ourselves
      poll();
    }
  }

  /**
   * The database is behind what this instance handed out: it was restored or failed over to a replica
   * that lost commits. Its own values are taken, so that cursors ahead of them get {@code database_changed}
   * and clients give the server back what it lost.
   */
  private void wentBack(long seq, long purged) {
    LOG.log(System.Logger.Level.WARNING, "the PostgreSQL store is behind this server (sequence " + seq + " < " + lastSeq.get()
      + "): restored or failed over with commits lost; clients ahead of it are told to reset");
    lastSeq.set(seq);
    purgedSeq.set(purged);
    listeners.fire(CommittedChanges.unknown(seq)); // WebSocket clients ahead of it are sent to sync (and reset)
  }

  private void raise(long seq, long purged) {
    lastSeq.accumulateAndGet(seq, Math::max);
    purgedSeq.accumulateAndGet(purged, Math::max);
  }

  @Override
  public String epoch() {
    return epoch;
  }

  @Override
  public long lastSeq() {
    return lastSeq.get();
  }

  @Override
  public long purgedSeq() {
    return purgedSeq.get();
  }

  @Override
  public Future<Void> refresh() {
    // compared with what was known before the read: a commit of this instance may raise lastSeq above the
    // read's snapshot meanwhile, which is no sign of a database that went back
    long known = lastSeq.get();
    return track(() -> pool.query("SELECT last_seq, purged_seq FROM tide_server_meta WHERE id = 1").execute().map(rows -> {
      Row row = rows.iterator().next();
      if (row.getLong(0) < known) {
        wentBack(row.getLong(0), row.getLong(1));
      } else {
        raise(row.getLong(0), row.getLong(1));
      }
      return null;
    }));
  }

  @Override
  public Future<List<OpResult>> push(String namespace, List<Change> ops) {
    if (closed) {
      return Future.failedFuture(new StoreException("store is closed"));
    }
    // most exchanges only pull: no transaction, no lock
    return ops.isEmpty() ? Future.succeededFuture(List.of()) : pushes.submit(new PgPush.Request(namespace, ops));
  }

  /** One transaction for a group of pushes ({@link PgPushQueue}). */
  private Future<List<List<OpResult>>> transaction(List<PgPush.Request> requests) {
    long known = lastSeq.get(); // committed before this push began: the meta row it locks cannot be below it (see refresh)
    return track(() -> pool.withTransaction(conn -> PgPush.run(conn, requests, channel, instance)).map(outcome -> {
      if (outcome.fromSeq() < known) {
        wentBack(outcome.fromSeq(), outcome.purgedSeq());
      }
      if (outcome.committed() != null) {
        raise(outcome.committed().toSeq(), outcome.purgedSeq());
        listeners.fire(outcome.committed()); // before the push completes: the pushing client's exchange finds its commit
      }
      return outcome.results();
    }));
  }

  @Override
  public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
    Tuple args = Tuple.of(namespace, afterSeq, excludeNode == null ? "" : excludeNode, limit, (long) maxBytes);
    return track(() -> pool.preparedQuery(PAGE).execute(args).map(rows -> {
      List<StoredChange> changes = new ArrayList<>();
      long top = afterSeq;
      long purged = 0;
      long total = 0;
      for (Row row : rows) {
        if (row.getLong(0) < afterSeq) { // a position handed out from this database, which no longer has it
          wentBack(row.getLong(0), row.getLong(1));
          throw new HttpError(409, "reset_required", "cursor is ahead of this database (restored from a backup?): pull"
            + " again from a null cursor", "cursor", "database_changed");
        }
        top = Math.max(top, row.getLong(0));
        purged = row.getLong(1);
        if (row.getValue(2) != null) {
          total = row.getLong(9);
          String body = row.getBoolean(7) ? null : row.getString(8);
          changes.add(new StoredChange(row.getLong(2), row.getString(3), row.getString(4),
            new Stamp(row.getLong(5), row.getString(6)), body));
        }
      }
      raise(top, purged); // before the page is used: a purge it reflects is seen by the caller's checks
      boolean more = total > changes.size();
      long last = more ? changes.get(changes.size() - 1).seq() : top;
      return new PullPage(changes, last, more, purged);
    }));
  }

  @Override
  public Future<Long> purgeTombstones(long committedBeforeMillis) {
    // by the database's clock, as committed_at is (PgPush): instances whose clocks differ purge alike
    long age = Math.max(0, System.currentTimeMillis() - committedBeforeMillis);
    return track(() -> pool.withTransaction(conn -> conn
      .query("SELECT last_seq, purged_seq, purged_counter FROM tide_server_meta WHERE id = 1 FOR UPDATE").execute()
      .compose(meta -> conn.preparedQuery("WITH d AS (DELETE FROM tide_server_docs WHERE deleted AND committed_at < "
          + PgPush.NOW_MS + " - $1 RETURNING seq, counter) SELECT count(*), coalesce(max(seq), 0), coalesce(max(counter), 0) FROM d")
        .execute(Tuple.of(age))
        .compose(deleted -> {
          Row m = meta.iterator().next();
          Row d = deleted.iterator().next();
          Purge purge = new Purge(d.getLong(0), m.getLong(0), Math.max(m.getLong(1), d.getLong(1)));
          if (purge.count() == 0) {
            return Future.succeededFuture(purge);
          }
          // the counter too, so that a write below it is checked against the purged tombstones (PgPush.belowPurged);
          // update and NOTIFY in one statement, as a push sends them
          return conn.preparedQuery("WITH u AS (UPDATE tide_server_meta SET purged_seq = $1, purged_counter = $2 WHERE id = 1"
              + " RETURNING 1) SELECT pg_notify($3, $4) FROM u")
            .execute(Tuple.of(purge.purgedSeq(), Math.max(m.getLong(2), d.getLong(2)), channel,
              payload(instance, purge.lastSeq(), purge.purgedSeq())))
            .map(v -> purge);
        })))
      .map(purge -> {
        if (purge.count() > 0) {
          raise(purge.lastSeq(), purge.purgedSeq());
          listeners.fire(new CommittedChanges(purge.lastSeq(), purge.lastSeq(), null)); // connections behind it are sent to sync again
        }
        return purge.count();
      }));
  }

  /** A purge: tombstones deleted, and the meta row's highest and purged sequences after it. */
  private record Purge(long count, long lastSeq, long purgedSeq) {
  }


  @Override
  public ChangeSignal signal() {
    return listeners;
  }

  /**
   * Starts a call unless the store is closed, and keeps it in flight until it ends, so that close waits for
   * it (checked and added under the close's lock: a call cannot start unseen by a close); store errors
   * become 503s, a cursor refusal stays what it is.
   */
  private synchronized <T> Future<T> track(java.util.function.Supplier<Future<T>> call) {
    if (closed) {
      return Future.failedFuture(new StoreException("store is closed"));
    }
    Future<T> f = call.get().recover(e -> Future.failedFuture(e instanceof HttpError ? e : unavailable("PostgreSQL store call failed", e)));
    inFlight.add(f);
    f.onComplete(ar -> inFlight.remove(f));
    return f;
  }

  private static StoreException unavailable(String what, Throwable e) {
    return e instanceof StoreException se ? se : new StoreException(what + ": " + e.getMessage(), e);
  }

  @Override
  public synchronized Future<Void> close() {
    if (closing == null) {
      closed = true;
      if (poll != -1) {
        vertx.cancelTimer(poll);
        vertx.cancelTimer(check);
      }
      // bounded: closing the pool then fails what still runs (a call stuck on the database must not hold the close)
      Future<Void> calls = Future.join(new ArrayList<>(inFlight)).timeout(CLOSE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)
        .transform(ar -> Future.succeededFuture());
      closing = calls.transform(v -> subscriber == null ? Future.succeededFuture() : subscriber.close())
        .transform(v -> pool.close());
    }
    return closing;
  }
}

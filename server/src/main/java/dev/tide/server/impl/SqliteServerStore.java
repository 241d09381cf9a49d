package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;
import dev.tide.core.impl.GroupCommitWriter;
import dev.tide.core.impl.SqliteFiles;
import dev.tide.core.impl.WriteTask;
import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded server store: one SQLite file, one writer thread with group commit (concurrent pushes
 * share transactions; each completes after COMMIT), and a small pool of read-only connections for
 * pulls, which WAL lets run while the writer commits.
 */
public final class SqliteServerStore implements ServerStore, ChangeSignal {

  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final int READERS = 2;
  /**
   * A page and, in the same statement (so the same snapshot), the highest sequence of the namespace as
   * a last row with a NULL collection: when the page is not full, the pull has seen everything up to it.
   * The inner query reads only the index (ns, seq, node), whose entries also hold the key (collection,
   * id): the client's own writes are skipped there, and only the rows sent are looked up (SQLite
   * cannot defer that lookup itself on a WITHOUT ROWID table).
   */
  private static final String PAGE = "SELECT * FROM (SELECT k.seq, k.collection, k.id, d.counter, d.node, d.deleted, d.body"
    + " FROM (SELECT seq, collection, id FROM tide_server_docs WHERE ns = ?1 AND seq > ?2 AND node <> ?3 ORDER BY seq LIMIT ?4) k"
    + " JOIN tide_server_docs d ON d.ns = ?1 AND d.collection = k.collection AND d.id = k.id ORDER BY k.seq)"
    + " UNION ALL SELECT max(seq), NULL, NULL, NULL, NULL, NULL, NULL FROM tide_server_docs WHERE ns = ?1";

  private final Vertx vertx;
  private final ServerWriter store;
  private final WorkerExecutor writerExecutor;
  private final WorkerExecutor readerExecutor;
  private final GroupCommitWriter<ServerWriter> writer;
  private final ArrayBlockingQueue<PreparedStatement> readers = new ArrayBlockingQueue<>(READERS);
  private final List<Handler<Long>> listeners = new CopyOnWriteArrayList<>();

  private SqliteServerStore(Vertx vertx, ServerWriter store, WorkerExecutor writerExecutor, WorkerExecutor readerExecutor) {
    this.vertx = vertx;
    this.store = store;
    this.writerExecutor = writerExecutor;
    this.readerExecutor = readerExecutor;
    this.writer = new GroupCommitWriter<>(writerExecutor, store, 10_000, vertx.getOrCreateContext(), events -> fireCommitted());
  }

  public static Future<ServerStore> open(Vertx vertx, String path, Synchronous synchronous) {
    String name = "tide-server-store-" + INSTANCES.incrementAndGet();
    WorkerExecutor writerExecutor = vertx.createSharedWorkerExecutor(name + "-writer", 1, 10, TimeUnit.MINUTES);
    WorkerExecutor readerExecutor = vertx.createSharedWorkerExecutor(name + "-reader", READERS, 10, TimeUnit.MINUTES);
    return writerExecutor.executeBlocking(() -> ServerWriter.open(path, synchronous))
      .compose(w -> readerExecutor.<ServerStore>executeBlocking(() -> {
        SqliteServerStore s = new SqliteServerStore(vertx, w, writerExecutor, readerExecutor);
        for (int i = 0; i < READERS; i++) {
          Connection c = SqliteFiles.openReader(path);
          s.readers.add(c.prepareStatement(PAGE));
        }
        return s;
      }).onFailure(e -> writerExecutor.executeBlocking(() -> {
        w.close();
        return null;
      })))
      .onFailure(e -> {
        writerExecutor.close();
        readerExecutor.close();
      });
  }

  @Override
  public String epoch() {
    return store.epoch();
  }

  @Override
  public long lastSeq() {
    return store.committedSeq();
  }

  @Override
  public long purgedSeq() {
    return store.purgedSeq();
  }

  @Override
  public Future<Long> purgeTombstones(long committedBeforeMillis) {
    return writer.submit(new WriteTask<ServerWriter, Long>(vertx.getOrCreateContext()) {
      @Override
      protected Long run(ServerWriter w, List<Change> events) throws SQLException {
        return w.purgeTombstones(committedBeforeMillis);
      }
    });
  }

  @Override
  public Future<List<OpResult>> push(String namespace, List<Change> ops) {
    Context ctx = vertx.getOrCreateContext();
    return writer.submit(new WriteTask<ServerWriter, List<OpResult>>(ctx) {
      @Override
      protected List<OpResult> run(ServerWriter w, List<Change> events) throws SQLException {
        List<OpResult> results = new ArrayList<>(ops.size());
        for (Change op : ops) {
          OpResult r = w.apply(namespace, op);
          results.add(r);
          if (r == OpResult.APPLIED) {
            events.add(op);
          }
        }
        return results;
      }

      @Override
      protected int weight() {
        return Math.max(1, ops.size());
      }
    });
  }

  @Override
  public Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes) {
    return readerExecutor.executeBlocking(() -> {
      PreparedStatement ps = readers.take();
      try {
        return readPage(ps, namespace, afterSeq, excludeNode, limit, maxBytes);
      } finally {
        readers.add(ps);
      }
    }, false);
  }

  private static PullPage readPage(PreparedStatement ps, String ns, long afterSeq, String excludeNode, int limit, int maxBytes)
    throws SQLException {
    List<StoredChange> changes = new ArrayList<>();
    long last = afterSeq;
    long bytes = 0;
    ps.setString(1, ns);
    ps.setLong(2, afterSeq);
    ps.setString(3, excludeNode == null ? "" : excludeNode); // node ids are never empty
    ps.setInt(4, limit + 1); // one extra row tells whether more are due
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String collection = rs.getString(2);
        if (collection == null) { // the namespace's highest sequence: every change up to it was read
          return new PullPage(changes, Math.max(last, rs.getLong(1)), false);
        }
        if (changes.size() == limit || bytes >= maxBytes) {
          return new PullPage(changes, last, true);
        }
        last = rs.getLong(1);
        String body = rs.getInt(6) != 0 ? null : rs.getString(7);
        bytes += 100 + (body == null ? 0 : body.length());
        changes.add(new StoredChange(last, collection, rs.getString(3), new Stamp(rs.getLong(4), rs.getString(5)), body));
      }
    }
    throw new SQLException("pull page lacks its closing row");
  }

  @Override
  public ChangeSignal signal() {
    return this;
  }

  @Override
  public Runnable subscribe(Handler<Long> onCommitted) {
    listeners.add(onCommitted);
    return () -> listeners.remove(onCommitted);
  }

  private void fireCommitted() {
    long seq = store.committedSeq();
    for (Handler<Long> l : listeners) {
      l.handle(seq);
    }
  }

  @Override
  public Future<Void> close() {
    // read-only connections close first: the last connection to close checkpoints and removes the WAL,
    // which only a writing connection can do
    return readerExecutor.executeBlocking(() -> {
      for (int i = 0; i < READERS; i++) {
        PreparedStatement ps = readers.take(); // waits for a pull still running
        try {
          ps.getConnection().close();
        } catch (SQLException ignored) {
          // read-only: nothing to lose
        }
      }
      return null;
    }, false)
      .eventually(writer::close)
      .eventually(writerExecutor::close)
      .eventually(readerExecutor::close)
      .mapEmpty();
  }
}

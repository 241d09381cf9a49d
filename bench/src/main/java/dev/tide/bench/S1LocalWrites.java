package dev.tide.bench;

import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * S1 local writes (SCENARIOS.md), no server: sequential awaited puts, batches of 500 (one transaction
 * each, and 500 concurrent puts group-committed), and reading back by id (in the same open store, and
 * after reopening it, with nothing cached); beside raw sqlite-jdbc in the
 * same run with the same pragmas (WAL, synchronous=NORMAL): 1 row/tx, 500 rows/tx, point SELECT, and
 * the 1 row/tx and point SELECT cases again through executeBlocking on a worker, awaited from an event loop.
 */
final class S1LocalWrites {

  private final Vertx vertx;
  private final int n;
  private final JsonObject[] docs;
  private final String[] ids;

  S1LocalWrites(Vertx vertx, int n) {
    this.vertx = vertx;
    this.n = n;
    this.docs = new JsonObject[n];
    this.ids = new String[n];
    for (int i = 0; i < n; i++) {
      docs[i] = Docs.doc(i);
      ids[i] = Docs.id(i);
    }
  }

  JsonObject run() throws Exception {
    Path dir = Files.createTempDirectory("tide-s1-");
    JsonObject figures = new JsonObject();
    JsonObject baseline = new JsonObject();

    // the baseline gets the same connection settings as tide (no generated-keys query after each INSERT)
    org.sqlite.SQLiteConfig rawConfig = new org.sqlite.SQLiteConfig();
    rawConfig.setGetGeneratedKeys(false);
    try (Connection c = rawConfig.createConnection("jdbc:sqlite:" + dir.resolve("raw.db"))) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=NORMAL");
        st.execute("CREATE TABLE docs(id TEXT PRIMARY KEY, body TEXT NOT NULL)");
        st.execute("CREATE TABLE batch(id TEXT PRIMARY KEY, body TEXT NOT NULL)");
        st.execute("CREATE TABLE via_worker(id TEXT PRIMARY KEY, body TEXT NOT NULL)");
      }
      c.setAutoCommit(false);
      String[] bodies = new String[n];
      for (int i = 0; i < n; i++) {
        bodies[i] = docs[i].encode();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO docs VALUES (?, ?)")) {
        baseline.put("raw1RowPerTx", perSecond(() -> {
          for (int i = 0; i < n; i++) {
            ps.setString(1, ids[i]);
            ps.setString(2, bodies[i]);
            ps.executeUpdate();
            c.commit();
          }
        }));
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO batch VALUES (?, ?)")) {
        baseline.put("raw500RowsPerTx", perSecond(() -> {
          for (int i = 0; i < n; i++) {
            ps.setString(1, ids[i]);
            ps.setString(2, bodies[i]);
            ps.executeUpdate();
            if (i % 500 == 499) {
              c.commit();
            }
          }
          c.commit();
        }));
      }
      c.setAutoCommit(true);
      try (PreparedStatement ps = c.prepareStatement("SELECT body FROM docs WHERE id = ?")) {
        baseline.put("rawPointSelect", perSecond(() -> {
          for (int i = 0; i < n; i++) {
            ps.setString(1, ids[i]);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              rs.getString(1);
            }
          }
        }));
      }
      // the same through the Vert.x way to run blocking JDBC: executeBlocking on a one-thread worker,
      // awaited from an event loop (the hand-offs any design that keeps SQLite off the event loop pays)
      WorkerExecutor worker = vertx.createSharedWorkerExecutor("tide-s1-raw", 1);
      try (PreparedStatement ins = c.prepareStatement("INSERT INTO via_worker VALUES (?, ?)");
           PreparedStatement sel = c.prepareStatement("SELECT body FROM docs WHERE id = ?")) {
        c.setAutoCommit(false);
        baseline.put("raw1RowPerTxViaWorker", perSecond(() -> chainOnEventLoop(i -> worker.executeBlocking(() -> {
          ins.setString(1, ids[i]);
          ins.setString(2, bodies[i]);
          ins.executeUpdate();
          c.commit();
          return null;
        }, false))));
        c.setAutoCommit(true);
        baseline.put("rawPointSelectViaWorker", perSecond(() -> chainOnEventLoop(i -> worker.executeBlocking(() -> {
          sel.setString(1, ids[i]);
          try (ResultSet rs = sel.executeQuery()) {
            rs.next();
            return rs.getString(1);
          }
        }, false))));
      } finally {
        worker.close().await();
      }
    }

    // sequential writes, then reading them back in the same open store (as an app does)
    Tide seq = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("seq.db").toString())).await();
    try {
      TideCollection notes = seq.collection("notes");
      figures.put("sequential", perSecond(() -> chainOnEventLoop(i -> notes.put(ids[i], docs[i]))));
      figures.put("readById", perSecond(() -> chainOnEventLoop(i -> notes.get(ids[i]))));
    } finally {
      seq.close().await();
    }
    figures.put("sequentialFromMainThread", withStore(dir, "seqmain", notes -> {
      for (int i = 0; i < n; i++) {
        notes.put(ids[i], docs[i]).await();
      }
    }));
    figures.put("batch500", withTide(dir, "batch", tide -> {
      for (int i = 0; i < n; i += 500) {
        int base = i;
        tide.batch(b -> {
          for (int k = base; k < Math.min(n, base + 500); k++) {
            b.put("notes", ids[k], docs[k]);
          }
        }).await();
      }
    }));
    figures.put("concurrent500", withStore(dir, "conc", notes -> {
      for (int i = 0; i < n; i += 500) {
        List<Future<Stamp>> puts = new ArrayList<>(500);
        for (int k = i; k < Math.min(n, i + 500); k++) {
          puts.add(notes.put(ids[k], docs[k]));
        }
        Future.all(puts).await();
      }
    }));
    // the same reads after reopening: nothing cached
    Tide reads = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("seq.db").toString())).await();
    try {
      TideCollection notes = reads.collection("notes");
      figures.put("readByIdAfterReopen", perSecond(() -> chainOnEventLoop(i -> notes.get(ids[i]))));
    } finally {
      reads.close().await();
    }
    deleteTree(dir);

    JsonObject ratios = new JsonObject()
      .put("sequentialVsRaw1RowPerTx", Stats.round(figures.getDouble("sequential") / baseline.getDouble("raw1RowPerTx"), 3))
      .put("batch500VsRaw500RowsPerTx", Stats.round(figures.getDouble("batch500") / baseline.getDouble("raw500RowsPerTx"), 3))
      .put("concurrent500VsRaw500RowsPerTx", Stats.round(figures.getDouble("concurrent500") / baseline.getDouble("raw500RowsPerTx"), 3))
      .put("readByIdVsRawPointSelect", Stats.round(figures.getDouble("readById") / baseline.getDouble("rawPointSelect"), 3))
      .put("sequentialVsRaw1RowPerTxViaWorker",
        Stats.round(figures.getDouble("sequential") / baseline.getDouble("raw1RowPerTxViaWorker"), 3))
      .put("readByIdAfterReopenVsRawPointSelectViaWorker",
        Stats.round(figures.getDouble("readByIdAfterReopen") / baseline.getDouble("rawPointSelectViaWorker"), 3))
      .put("readByIdAfterReopenVsRawPointSelect",
        Stats.round(figures.getDouble("readByIdAfterReopen") / baseline.getDouble("rawPointSelect"), 3));
    return new JsonObject().put("figures", figures).put("baseline", baseline).put("ratios", ratios).put("unit", "docs/s");
  }

  interface Body {
    void run() throws Exception;
  }

  interface StoreBody {
    void run(TideCollection notes) throws Exception;
  }

  interface TideBody {
    void run(Tide tide) throws Exception;
  }

  private double perSecond(Body body) throws Exception {
    long t0 = System.nanoTime();
    body.run();
    return Stats.round(n / ((System.nanoTime() - t0) / 1e9), 0);
  }

  private double withStore(Path dir, String name, StoreBody body) throws Exception {
    return withTide(dir, name, tide -> body.run(tide.collection("notes")));
  }

  private double withTide(Path dir, String name, TideBody body) throws Exception {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve(name + ".db").toString())).await();
    try {
      return perSecond(() -> body.run(tide));
    } finally {
      tide.close().await();
    }
  }

  /** n operations, each started when the previous completed, chained on an event loop (no thread waits). */
  private void chainOnEventLoop(IntFunction<Future<?>> op) {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> step(op, 0, done));
    done.future().await();
  }

  private void step(IntFunction<Future<?>> op, int from, Promise<Void> done) {
    // a loop, not recursion, over operations that complete at once (a cached get)
    for (int i = from; i < n; i++) {
      Future<?> f = op.apply(i);
      if (!f.isComplete()) {
        int next = i + 1;
        f.onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
          } else {
            step(op, next, done);
          }
        });
        return;
      }
      if (f.failed()) {
        done.fail(f.cause());
        return;
      }
    }
    done.complete();
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

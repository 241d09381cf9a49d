package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Local writes (document row + outbox entry) buffered on the writer thread and written with
 * multi-row statements ({@link MultiRowInsert}). {@link WriterStore} flushes the buffer before any
 * other statement and before COMMIT, so nothing can observe the order differ from the order of the
 * writes; rows are written in that order, so a later write to the same document wins.
 */
final class LocalRows implements AutoCloseable {

  private static final int CAPACITY = MultiRowInsert.SIZES[0];

  private final MultiRowInsert docs;
  private final MultiRowInsert outbox;
  private final String[] collections = new String[CAPACITY];
  private final String[] ids = new String[CAPACITY];
  private final String[] bodies = new String[CAPACITY];
  private final long[] counters = new long[CAPACITY];
  private int size;

  /** @param nodeId this store's node id (URL-safe, so written as a literal) */
  LocalRows(Connection conn, String nodeId) throws SQLException {
    docs = new MultiRowInsert(conn, "INSERT INTO tide_docs(collection, id, counter, node, deleted, body) VALUES",
      "(?, ?, ?, '" + nodeId + "', ?, ?)", StoreSchema.UPSERT_DOC);
    outbox = new MultiRowInsert(conn, "INSERT INTO tide_outbox(counter, collection, id) VALUES", "(?, ?, ?)", "");
  }

  /** Buffers a put (body = JSON text) or a delete (body = null); writes the buffer once it is full. */
  void add(String collection, String id, String body, long counter) throws SQLException {
    collections[size] = collection;
    ids[size] = id;
    bodies[size] = body;
    counters[size] = counter;
    size++;
    if (size == CAPACITY) {
      flush();
    }
  }

  /** Writes what is buffered, in order. On failure the caller rolls back (and must call {@link #clear}). */
  void flush() throws SQLException {
    if (size > 0) {
      docs.write(size, (ps, p, i) -> {
        ps.setString(p, collections[i]);
        ps.setString(p + 1, ids[i]);
        ps.setLong(p + 2, counters[i]);
        ps.setInt(p + 3, bodies[i] == null ? 1 : 0);
        ps.setString(p + 4, bodies[i]);
        return p + 5;
      });
      outbox.write(size, (ps, p, i) -> {
        ps.setLong(p, counters[i]);
        ps.setString(p + 1, collections[i]);
        ps.setString(p + 2, ids[i]);
        return p + 3;
      });
    }
    clear();
  }

  /** Forgets what is buffered (after a rollback). */
  void clear() {
    Arrays.fill(collections, 0, size, null);
    Arrays.fill(ids, 0, size, null);
    Arrays.fill(bodies, 0, size, null);
    size = 0;
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(docs, outbox);
  }
}

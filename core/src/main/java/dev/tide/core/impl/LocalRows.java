package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Local writes (document row + outbox entry) buffered on the writer thread and written with
 * multi-row statements: a statement of 32 rows costs far less than 32 statements of one row (per-row
 * statement overhead was most of a batch's time outside SQLite's B-trees). {@link WriterStore}
 * flushes the buffer before any other statement and before COMMIT, so nothing can observe the order
 * differ from the order of the writes; rows are written in that order, so a later write to the same
 * document wins even inside one statement.
 */
final class LocalRows {

  /** Statement sizes, largest first: a buffer of n rows is written as chunks of these. */
  private static final int[] CHUNKS = {32, 8, 1};
  private static final int CAPACITY = CHUNKS[0];

  private final PreparedStatement[] docs = new PreparedStatement[CHUNKS.length];
  private final PreparedStatement[] outbox = new PreparedStatement[CHUNKS.length];
  private final String[] collections = new String[CAPACITY];
  private final String[] ids = new String[CAPACITY];
  private final String[] bodies = new String[CAPACITY];
  private final long[] counters = new long[CAPACITY];
  private int size;

  /** @param nodeId this store's node id (URL-safe, so written as a literal) */
  LocalRows(Connection conn, String nodeId) throws SQLException {
    for (int c = 0; c < CHUNKS.length; c++) {
      docs[c] = conn.prepareStatement("INSERT INTO tide_docs(collection, id, counter, node, deleted, body) VALUES "
        + rows("(?, ?, ?, '" + nodeId + "', ?, ?)", CHUNKS[c])
        + " ON CONFLICT(collection, id) DO UPDATE SET counter = excluded.counter, node = excluded.node,"
        + " deleted = excluded.deleted, body = excluded.body");
      outbox[c] = conn.prepareStatement("INSERT INTO tide_outbox(counter, collection, id) VALUES " + rows("(?, ?, ?)", CHUNKS[c]));
    }
  }

  private static String rows(String row, int n) {
    StringBuilder sb = new StringBuilder(row.length() * n + n);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(row);
    }
    return sb.toString();
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
    int from = 0;
    for (int c = 0; c < CHUNKS.length; c++) {
      for (int n = CHUNKS[c]; size - from >= n; from += n) {
        write(c, from, n);
      }
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

  private void write(int chunk, int from, int n) throws SQLException {
    PreparedStatement d = docs[chunk];
    PreparedStatement o = outbox[chunk];
    int p = 1;
    int q = 1;
    for (int i = from; i < from + n; i++) {
      d.setString(p++, collections[i]);
      d.setString(p++, ids[i]);
      d.setLong(p++, counters[i]);
      d.setInt(p++, bodies[i] == null ? 1 : 0);
      d.setString(p++, bodies[i]);
      o.setLong(q++, counters[i]);
      o.setString(q++, collections[i]);
      o.setString(q++, ids[i]);
    }
    d.executeUpdate();
    o.executeUpdate();
  }
}

package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.Stamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statements behind applying pulled changes in bulk: the local stamps of up to {@link #LOOKUP}
 * documents in one query, and the winning changes' rows buffered and written with multi-row upserts.
 * One statement per document for each was most of an initial pull's time on the writer thread.
 */
final class RemoteRows implements AutoCloseable {

  /** Documents looked up per query, at most. */
  static final int LOOKUP = 64;
  /**
   * Lookup statement sizes, smallest first: a run takes the smallest that holds it, padded by repeating
   * its first document (a live push of one change probes one key, not 64).
   */
  private static final int[] LOOKUP_SIZES = {1, 4, 16, LOOKUP};
  private static final int CAPACITY = MultiRowInsert.SIZES[0];

  /** Which document a row is. */
  record Key(String collection, String id) {
  }

  /** A document's local stamp, and whether it holds a write of this store not yet acknowledged. */
  record Local(Stamp stamp, boolean pending) {
  }

  private final PreparedStatement[] lookups = new PreparedStatement[LOOKUP_SIZES.length];
  private final MultiRowInsert upsert;
  private final Change[] buffered = new Change[CAPACITY];
  private int size;

  /** @param nodeId this store's node id (URL-safe, so written as a literal) */
  RemoteRows(Connection conn, String nodeId) throws SQLException {
    for (int s = 0; s < LOOKUP_SIZES.length; s++) {
      StringBuilder keys = new StringBuilder();
      for (int i = 0; i < LOOKUP_SIZES[s]; i++) {
        keys.append(i == 0 ? "" : ", ").append("(?, ?)");
      }
      // CROSS JOIN keeps the keys as the outer loop: each is one primary-key probe
      lookups[s] = conn.prepareStatement("WITH k(c, i) AS (VALUES " + keys + ") SELECT d.collection, d.id, d.counter, d.node, "
        + StoreSchema.pending(nodeId) + " FROM k CROSS JOIN tide_docs d ON d.collection = k.c AND d.id = k.i");
    }
    upsert = new MultiRowInsert(conn, "INSERT INTO tide_docs(collection, id, counter, node, deleted, body) VALUES",
      "(?, ?, ?, ?, ?, ?)", StoreSchema.UPSERT_DOC);
  }

  /** The local state of the documents of {@code changes[from, to)} that exist here; to - from <= LOOKUP. */
  Map<Key, Local> lookup(List<Change> changes, int from, int to) throws SQLException {
    int s = 0;
    while (LOOKUP_SIZES[s] < to - from) {
      s++;
    }
    PreparedStatement lookup = lookups[s];
    int p = 1;
    for (int k = 0; k < LOOKUP_SIZES[s]; k++) {
      Change c = changes.get(from + k < to ? from + k : from);
      lookup.setString(p++, c.collection());
      lookup.setString(p++, c.id());
    }
    Map<Key, Local> found = new HashMap<>();
    try (ResultSet rs = lookup.executeQuery()) {
      while (rs.next()) {
        found.put(new Key(rs.getString(1), rs.getString(2)),
          new Local(new Stamp(rs.getLong(3), rs.getString(4)), rs.getInt(5) != 0));
      }
    }
    return found;
  }

  /** Buffers a change that won; rows are written in order, at {@link #flush} or when the buffer is full. */
  void add(Change change) throws SQLException {
    buffered[size++] = change;
    if (size == CAPACITY) {
      flush();
    }
  }

  void flush() throws SQLException {
    if (size > 0) {
      upsert.write(size, (ps, p, i) -> {
        Change c = buffered[i];
        String body = c.docJson(); // the text it arrived as (validated): no re-encoding
        ps.setString(p, c.collection());
        ps.setString(p + 1, c.id());
        ps.setLong(p + 2, c.stamp().counter());
        ps.setString(p + 3, c.stamp().node());
        ps.setInt(p + 4, body == null ? 1 : 0);
        ps.setString(p + 5, body);
        return p + 6;
      });
    }
    clear();
  }

  /** Forgets what is buffered (after a rollback). */
  void clear() {
    Arrays.fill(buffered, 0, size, null);
    size = 0;
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(lookups);
    SqliteFiles.closeQuietly(upsert);
  }
}

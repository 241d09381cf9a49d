package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One INSERT statement prepared for several row counts, so that n buffered rows are written with a
 * few statements: a statement of 32 rows costs far less than 32 statements of one row (the per-statement
 * overhead of sqlite-jdbc and JNI was most of a batch's time outside SQLite's B-trees). Rows are written
 * in order, so a later row for the same key wins even inside one statement (ON CONFLICT DO UPDATE).
 */
final class MultiRowInsert implements AutoCloseable {

  /** Statement sizes, largest first: n rows are written as chunks of these. */
  static final int[] SIZES = {32, 8, 1};

  /** Binds one buffered row's parameters. */
  interface Binder {
    /**
     * @param param the index of the row's first parameter in {@code ps}
     * @return the index after the row's last parameter
     */
    int bind(PreparedStatement ps, int param, int row) throws SQLException;
  }

  private final PreparedStatement[] statements = new PreparedStatement[SIZES.length];

  /** @param head up to and including VALUES; {@code row} one row's parenthesized placeholders; {@code tail} may be empty */
  MultiRowInsert(Connection conn, String head, String row, String tail) throws SQLException {
    for (int s = 0; s < SIZES.length; s++) {
      StringBuilder sql = new StringBuilder(head.length() + (row.length() + 2) * SIZES[s] + tail.length() + 2);
      sql.append(head).append(' ');
      for (int i = 0; i < SIZES[s]; i++) {
        sql.append(i == 0 ? "" : ", ").append(row);
      }
      statements[s] = conn.prepareStatement(sql.append(' ').append(tail).toString());
    }
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(statements);
  }

  /** Writes rows {@code 0 .. rows-1}, in order. */
  void write(int rows, Binder binder) throws SQLException {
    int from = 0;
    for (int s = 0; s < SIZES.length; s++) {
      PreparedStatement ps = statements[s];
      for (int n = SIZES[s]; rows - from >= n; from += n) {
        int p = 1;
        for (int r = from; r < from + n; r++) {
          p = binder.bind(ps, p, r);
        }
        ps.executeUpdate();
      }
    }
  }
}

package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * BEGIN / COMMIT / ROLLBACK as prepared statements on a connection left in autocommit mode.
 * sqlite-jdbc's {@code Connection.commit()} prepares {@code "commit"} and {@code "begin"} again on
 * every call; with one short transaction per write that preparation is a visible share of the cost.
 */
public final class Transactions implements AutoCloseable {

  private final PreparedStatement begin;
  private final PreparedStatement commit;
  private final PreparedStatement rollback;
  private boolean open;

  /** Write transactions: {@code BEGIN IMMEDIATE} takes the write lock at once. */
  public Transactions(Connection conn) throws SQLException {
    this(conn, "BEGIN IMMEDIATE");
  }

  private Transactions(Connection conn, String beginSql) throws SQLException {
    this.begin = conn.prepareStatement(beginSql);
    this.commit = conn.prepareStatement("COMMIT");
    this.rollback = conn.prepareStatement("ROLLBACK");
  }

  /**
   * Read transactions on a read-only connection: a deferred {@code BEGIN}, whose first read takes the
   * snapshot that every read until {@link #commit} sees.
   */
  public static Transactions forReads(Connection conn) throws SQLException {
    return new Transactions(conn, "BEGIN");
  }

  /** Starts a transaction unless one is open. */
  public void begin() throws SQLException {
    if (!open) {
      begin.execute();
      open = true;
    }
  }

  /** Commits the open transaction (nothing to do if none is open). */
  public void commit() throws SQLException {
    if (open) {
      commit.execute();
      open = false;
    }
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(begin, commit, rollback);
  }

  /** Rolls back the open transaction, if any; never throws (the connection may be broken). */
  public void rollback() {
    if (open) {
      open = false;
      try {
        rollback.execute();
      } catch (SQLException ignored) {
        // nothing was committed; a broken connection fails the next write and reports it
      }
    }
  }
}

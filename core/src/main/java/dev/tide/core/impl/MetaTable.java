package dev.tide.core.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A store's key/value table ({@code key TEXT PRIMARY KEY, value TEXT}) on its writing connection, and
 * the one-number queries stores run when they open. Shared by the client's and the server's stores.
 */
public final class MetaTable implements AutoCloseable {

  private final Connection conn;
  private final PreparedStatement get;
  private final PreparedStatement put;
  private final PreparedStatement delete;

  /** @param table a table name of the store's own schema (not user input) */
  public MetaTable(Connection conn, String table) throws SQLException {
    this.conn = conn;
    this.get = conn.prepareStatement("SELECT value FROM " + table + " WHERE key = ?");
    this.put = conn.prepareStatement("INSERT OR REPLACE INTO " + table + "(key, value) VALUES (?, ?)");
    this.delete = conn.prepareStatement("DELETE FROM " + table + " WHERE key = ?");
  }

  /** The value, or null if the key is absent. */
  public String get(String key) throws SQLException {
    get.setString(1, key);
    try (ResultSet rs = get.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** The value as a number, 0 if the key is absent. */
  public long getLong(String key) throws SQLException {
    String value = get(key);
    return value == null ? 0 : Long.parseLong(value);
  }

  public void put(String key, String value) throws SQLException {
    put.setString(1, key);
    put.setString(2, value);
    put.executeUpdate();
  }

  public void delete(String key) throws SQLException {
    delete.setString(1, key);
    delete.executeUpdate();
  }

  /** The first column of a one-row query as a number (0 for no row or NULL), e.g. {@code SELECT max(seq) ...}. */
  public long queryLong(String sql) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public void close() {
    SqliteFiles.closeQuietly(get, put, delete);
  }
}

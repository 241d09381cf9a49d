package dev.tide.tests.core;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Raw SQL on a store file from a test: a separate connection, so it sees only committed data. */
public final class Sql {

  private Sql() {
  }

  public static List<List<Object>> query(String path, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
         Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<List<Object>> rows = new ArrayList<>();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static long count(String path, String sql) {
    return ((Number) query(path, sql).get(0).get(0)).longValue();
  }

  public static void exec(String path, String... statements) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + path); Statement st = c.createStatement()) {
      for (String s : statements) {
        st.executeUpdate(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

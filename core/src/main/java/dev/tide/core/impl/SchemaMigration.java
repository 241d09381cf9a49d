package dev.tide.core.impl;

import dev.tide.core.StoreException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens a versioned SQLite schema safely: in one transaction, checks that the file is ours
 * ({@code PRAGMA application_id}) and not newer than this library ({@code PRAGMA user_version}), then
 * runs the steps that bring it to the current version. A foreign, newer or failing file is left as it was.
 */
public final class SchemaMigration {

  /** Brings the schema from {@code version} (0: an empty file) to the current one, setting user_version. */
  @FunctionalInterface
  public interface Steps {
    void from(Statement st, int version) throws SQLException;
  }

  private SchemaMigration() {
  }

  public static void migrate(Connection conn, String path, String kind, int applicationId, int currentVersion, Steps steps)
    throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      int appId = intPragma(st, "application_id");
      int version = intPragma(st, "user_version");
      if (appId != 0 && appId != applicationId) {
        throw new StoreException(path + " is not a " + kind + " (application_id " + appId + ")");
      }
      if (version > currentVersion) {
        throw new StoreException(path + " has schema version " + version + ", newer than this library supports ("
          + currentVersion + "): upgrade tide to open it");
      }
      if (version == 0) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
          if (rs.next() && rs.getInt(1) > 0) {
            throw new StoreException(path + " is an SQLite file with other tables, not a " + kind);
          }
        }
      }
      if (version < currentVersion) {
        steps.from(st, version);
        st.executeUpdate("PRAGMA application_id = " + applicationId);
      }
      st.execute("COMMIT");
    } catch (SQLException | RuntimeException e) {
      try (Statement st = conn.createStatement()) {
        st.execute("ROLLBACK");
      } catch (SQLException ignored) {
        // nothing to undo
      }
      throw e;
    }
  }

  private static int intPragma(Statement st, String name) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Opens a versioned SQLite schema safely: in one transaction, checks that the file is ours
 * ({@code PRAGMA application_id}) and not newer than this library ({@code PRAGMA user_version}), then
 * runs the steps that bring it to the current version. A foreign, newer or failing file is left as it was:
 * {@link #check} refuses it before the store opens it for writing (which switches it to WAL).
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
      int version = refuseUnlessOurs(st, path, kind, applicationId, currentVersion);
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

  /**
   * Refuses, with a {@link StoreException}, a file that is neither empty nor of this schema at a version this
   * library reads, without changing it: call it before anything opens the file for writing or locks it.
   */
  public static void check(String path, String kind, int applicationId, int currentVersion) {
    Path given = Path.of(path);
    Path file;
    try {
      if (!Files.exists(given) || Files.size(given) == 0) {
        return; // a new store: SQLite treats an empty file as an empty database
      }
      file = given.toRealPath(); // SQLite keeps a journal beside the file a symlink names
    } catch (IOException e) {
      throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
    }
    try (Connection conn = SqliteFiles.openToInspect(file); Statement st = conn.createStatement()) {
      refuseUnlessOurs(st, path, kind, applicationId, currentVersion);
    } catch (SQLException e) {
      throw new StoreException("cannot read " + path + " as a " + kind + ": " + e.getMessage(), e);
    }
  }

  /** Throws unless the file is ours at a version we read (or empty); returns its version. */
  private static int refuseUnlessOurs(Statement st, String path, String kind, int applicationId, int currentVersion)
    throws SQLException {
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
    return version;
  }

  private static int intPragma(Statement st, String name) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.StoreException;
import dev.tide.core.Synchronous;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens SQLite connections with sqlite-jdbc directly.
 * <p>
 * Why not vertx-jdbc-client: in its newest reachable release (5.0.10) a pooled connection is left at
 * autocommit=false after {@code withTransaction}, so later writes report success and are lost
 * (vert-x3/vertx-jdbc-client#356, fix unreleased); and a pool of several connections writing one
 * SQLite file fails with SQLITE_BUSY. So each store has exactly one writing connection, used by one
 * thread, plus a read-only connection (WAL lets it read while the writer commits).
 */
public final class SqliteFiles {

  private SqliteFiles() {
  }

  public static Connection openWriter(String path, Synchronous synchronous) throws SQLException {
    SQLiteConfig config = baseConfig(synchronous);
    return config.createConnection("jdbc:sqlite:" + path); // autocommit: transactions are explicit (Transactions)
  }

  public static Connection openReader(String path) throws SQLException {
    SQLiteConfig config = baseConfig(Synchronous.NORMAL);
    config.setReadOnly(true);
    return config.createConnection("jdbc:sqlite:" + path);
  }

  private static SQLiteConfig baseConfig(Synchronous synchronous) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(synchronous == Synchronous.FULL ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    config.setCacheSize(-16_384); // 16 MiB page cache
    // by default sqlite-jdbc runs (and prepares anew) a "last_insert_rowid()" query after every
    // INSERT for getGeneratedKeys(); we never ask for generated keys
    config.setGetGeneratedKeys(false);
    return config;
  }

  /**
   * Takes an exclusive lock on {@code <path>.lock}, so that a second writer (in this JVM or another)
   * is refused with a clear error instead of meeting SQLITE_BUSY later. The OS drops it if the process dies.
   */
  /**
   * Closes statements (or holders of them), ignoring failures. A store closes and prepares its statements
   * again after a failed transaction: sqlite-jdbc finalizes a statement whose step failed
   * (xerial/sqlite-jdbc#74), so it would fail for good.
   */
  public static void closeQuietly(AutoCloseable... statements) {
    for (AutoCloseable s : statements) {
      if (s != null) {
        try {
          s.close();
        } catch (Exception ignored) {
          // closing what may be broken already
        }
      }
    }
  }

  /** Rolls back a transaction SQLite may have left open, on a statement of its own; none open is fine. */
  public static void rollbackQuietly(Connection conn) {
    try (java.sql.Statement st = conn.createStatement()) {
      st.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // no transaction was open (SQLite rolls back by itself on some errors), or the connection is broken
    }
  }

  public static FileLock lock(String path) {
    Path lockFile = Path.of(path + ".lock");
    try {
      Path parent = lockFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new StoreException(path + " is already open by another store instance (lock " + lockFile + ")");
      }
      return lock;
    } catch (IOException e) {
      throw new StoreException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    }
  }

  public static void release(FileLock lock) {
    try {
      lock.release();
      lock.channel().close();
    } catch (IOException ignored) {
      // the lock dies with the channel anyway
    }
  }
}

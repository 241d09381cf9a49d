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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

  /** The lock files this JVM holds (each with its lock, or a placeholder while it is being taken). */
  private static final Map<Path, Object> HELD = new ConcurrentHashMap<>();

  private SqliteFiles() {
  }

  public static Connection openWriter(String path, Synchronous synchronous) throws SQLException {
    SQLiteConfig config = baseConfig(synchronous);
    return config.createConnection(url(path)); // autocommit: transactions are explicit (Transactions)
  }

  public static Connection openReader(String path) throws SQLException {
    SQLiteConfig config = baseConfig(Synchronous.NORMAL);
    config.setReadOnly(true);
    return config.createConnection(url(path));
  }

  /**
   * The JDBC URL of the file {@code path} names. sqlite-jdbc reads what follows a '?' in a plain name as its
   * own parameters and drops them ("x.db?synchronous=off" and "x.db?" open x.db, beside a lock file of
   * another name), so such a name goes as a {@code file:} URI, whose percent-encoded path is the file exactly.
   */
  static String url(String path) {
    return "jdbc:sqlite:" + (path.indexOf('?') < 0 ? path : Path.of(path).toAbsolutePath().toUri().toString());
  }

  /**
   * A read-only connection that changes nothing on disk, to look at an existing file (its real path)
   * before a store opens it. Without a WAL or rollback journal beside it the file holds every commit, and
   * is read as immutable: no lock, and no -wal or -shm created (a read-only open of a WAL file creates
   * and leaves both). With one, the journal may hold newer commits: a plain read-only open reads them.
   */
  public static Connection openToInspect(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    boolean journal = Files.exists(file.resolveSibling(file.getFileName() + "-wal"))
      || Files.exists(file.resolveSibling(file.getFileName() + "-journal"));
    // a URI, so that SQLite reads the parameter (the path percent-encoded)
    return config.createConnection(journal ? url(file.toString()) : "jdbc:sqlite:" + file.toUri() + "?immutable=1");
  }

  /**
   * Makes every commit so far durable, whatever {@code PRAGMA synchronous} says: forces the WAL file
   * (which holds them, in order) to disk. A commit under synchronous=NORMAL may be lost in a power loss
   * until then. SQLite refuses to change the pragma inside a transaction, and a store learns only while
   * one is open that its commit must be durable.
   */
  public static void syncWal(String path) throws IOException {
    Path db = Path.of(path).toRealPath(); // SQLite keeps the WAL beside the file a symlink names
    Path wal = db.resolveSibling(db.getFileName() + "-wal");
    if (Files.exists(wal)) {
      try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      // the WAL may be new (SQLite deletes it at a clean close): its directory entry must be durable too
      try (FileChannel dir = FileChannel.open(wal.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // a platform that cannot open a directory (Windows) keeps directory entries durable by itself
      }
    }
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

  /**
   * Takes an exclusive lock on {@code <database's real path>.lock}, so that a second store on the same
   * file (in this JVM or another, under any path or symlink to it) is refused with a clear error instead
   * of meeting SQLITE_BUSY later. The OS drops it if the process dies.
   * <p>
   * Locks this JVM holds are also kept in a set, checked before any channel is opened: on Linux a lock
   * belongs to the process, and closing any channel on its file (a refused second open) would drop it.
   */
  public static FileLock lock(String path) {
    Path lockFile;
    try {
      lockFile = lockFileOf(path);
    } catch (IOException e) {
      throw new StoreException("cannot lock " + path + ": " + e.getMessage(), e);
    }
    Object reserved = new Object();
    if (HELD.putIfAbsent(lockFile, reserved) != null) {
      throw new StoreException(path + " is already open by another store instance in this process (lock " + lockFile + ")");
    }
    try {
      FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException | IOException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close(); // this process holds no lock on the file: closing drops nothing
        throw new StoreException(path + " is already open by another process (lock " + lockFile + ")");
      }
      HELD.put(lockFile, lock);
      return lock;
    } catch (IOException e) {
      HELD.remove(lockFile, reserved);
      throw new StoreException("cannot lock " + lockFile + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      HELD.remove(lockFile, reserved);
      throw e;
    }
  }

  /** The lock file of a database: beside the file it names once symlinks are resolved (created if needed). */
  private static Path lockFileOf(String path) throws IOException {
    Path db = Path.of(path).toAbsolutePath();
    Files.createDirectories(db.getParent());
    // a symlink whose target does not exist yet: SQLite creates the target, so that is the file to lock
    for (int hops = 0; hops < 40 && !Files.exists(db) && Files.isSymbolicLink(db); hops++) {
      db = db.getParent().resolve(Files.readSymbolicLink(db)).toAbsolutePath().normalize();
    }
    Path real = Files.exists(db) ? db.toRealPath() : db.getParent().toRealPath().resolve(db.getFileName());
    return Path.of(real + ".lock");
  }

  public static void release(FileLock lock) {
    try {
      lock.release();
      lock.channel().close();
    } catch (IOException ignored) {
      // the lock dies with the channel anyway
    }
    HELD.values().remove(lock); // after the OS lock: an open racing this close is told "in this process", not another
  }
}

package dev.tide.core;

import dev.tide.core.impl.OptionChecks;
import dev.tide.core.impl.OptionsJson;
import io.vertx.core.json.JsonObject;


/**
 * Options of a {@link Tide} client. A Vert.x data object: defaults, copy and JSON constructors,
 * fluent setters and {@link #toJson()}, so it can be read from a verticle's JSON config.
 */
public class TideOptions {

  public static final String DEFAULT_DB_PATH = "tide.db";
  public static final Synchronous DEFAULT_SYNCHRONOUS = Synchronous.NORMAL;
  public static final String DEFAULT_ADDRESS_PREFIX = "tide";
  public static final boolean DEFAULT_CHANGES_AS_JSON = false;
  public static final int DEFAULT_MAX_WRITES_PER_TRANSACTION = 2_000;
  public static final int DEFAULT_READ_CACHE_SIZE = 10_000;

  private String dbPath = DEFAULT_DB_PATH;
  private Synchronous synchronous = DEFAULT_SYNCHRONOUS;
  private String addressPrefix = DEFAULT_ADDRESS_PREFIX;
  private boolean changesAsJson = DEFAULT_CHANGES_AS_JSON;
  private int maxWritesPerTransaction = DEFAULT_MAX_WRITES_PER_TRANSACTION;
  private SyncOptions sync;
  private int readCacheSize = DEFAULT_READ_CACHE_SIZE;

  public TideOptions() {
  }

  public TideOptions(TideOptions other) {
    this.dbPath = other.dbPath;
    this.synchronous = other.synchronous;
    this.addressPrefix = other.addressPrefix;
    this.changesAsJson = other.changesAsJson;
    this.maxWritesPerTransaction = other.maxWritesPerTransaction;
    this.sync = other.sync == null ? null : new SyncOptions(other.sync);
    this.readCacheSize = other.readCacheSize;
  }

  public TideOptions(JsonObject json) {
    this();
    OptionsJson j = new OptionsJson("TideOptions", json);
    setDbPath(j.stringValue("dbPath", dbPath));
    synchronous = j.enumValue("synchronous", Synchronous.class, synchronous);
    setAddressPrefix(j.stringValue("addressPrefix", addressPrefix));
    changesAsJson = j.booleanValue("changesAsJson", changesAsJson);
    setMaxWritesPerTransaction(j.intValue("maxWritesPerTransaction", maxWritesPerTransaction));
    JsonObject syncJson = j.objectValue("sync");
    this.sync = syncJson == null ? null : new SyncOptions(syncJson);
    setReadCacheSize(j.intValue("readCacheSize", readCacheSize));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("dbPath", dbPath)
      .put("synchronous", synchronous.name())
      .put("addressPrefix", addressPrefix)
      .put("changesAsJson", changesAsJson)
      .put("maxWritesPerTransaction", maxWritesPerTransaction)
      .put("readCacheSize", readCacheSize);
    if (sync != null) {
      json.put("sync", sync.toJson());
    }
    return json;
  }

  /**
   * Path of the SQLite file (created if missing). WAL mode adds {@code -wal} and {@code -shm} files beside it.
   * It must name a file: {@code ""}, {@code :memory:}, a {@code file:} URI or a {@code :resource:} is refused
   * with an {@link IllegalArgumentException}.
   */
  public String getDbPath() {
    return dbPath;
  }

  public TideOptions setDbPath(String dbPath) {
    this.dbPath = OptionChecks.dbPath(dbPath, "dbPath");
    return this;
  }

  /** Durability of a commit: see {@link Synchronous}. */
  public Synchronous getSynchronous() {
    return synchronous;
  }

  public TideOptions setSynchronous(Synchronous synchronous) {
    this.synchronous = OptionChecks.notNull(synchronous, "synchronous");
    return this;
  }

  /**
   * Event-bus address prefix: all changes go to {@code <prefix>.changes}, changes of one collection to
   * {@code <prefix>.changes.<collection>}, sync status to {@code <prefix>.sync.status}.
   * Give each store in one Vert.x instance its own prefix. A blank one is refused with an
   * {@link IllegalArgumentException}.
   */
  public String getAddressPrefix() {
    return addressPrefix;
  }

  public TideOptions setAddressPrefix(String addressPrefix) {
    this.addressPrefix = OptionChecks.notBlank(addressPrefix, "addressPrefix", "events would go to \"" + addressPrefix + ".changes\"");
    return this;
  }

  /**
   * Publish change notifications as {@link JsonObject}s ({@link Change#toEventJson()}) instead of
   * {@link Change} objects: for event-bus bridges and cluster nodes without tide on the classpath.
   */
  public boolean isChangesAsJson() {
    return changesAsJson;
  }

  public TideOptions setChangesAsJson(boolean changesAsJson) {
    this.changesAsJson = changesAsJson;
    return this;
  }

  /** Upper bound of writes committed together by group commit. */
  public int getMaxWritesPerTransaction() {
    return maxWritesPerTransaction;
  }

  public TideOptions setMaxWritesPerTransaction(int maxWritesPerTransaction) {
    this.maxWritesPerTransaction = OptionChecks.atLeast(maxWritesPerTransaction, 1, "maxWritesPerTransaction");
    return this;
  }

  /** How to sync with a server; null (default) for a purely local store. */
  public SyncOptions getSync() {
    return sync;
  }

  public TideOptions setSync(SyncOptions sync) {
    this.sync = sync;
    return this;
  }

  /**
   * How many documents {@code get} serves from memory, without a trip to the reader thread: recently
   * read ones, and those written by commits of at most 64 changes (never stale: the writer updates
   * them on commit). 0 disables it.
   */
  public int getReadCacheSize() {
    return readCacheSize;
  }

  public TideOptions setReadCacheSize(int readCacheSize) {
    this.readCacheSize = OptionChecks.atLeast(readCacheSize, 0, "readCacheSize");
    return this;
  }
}

package dev.tide.server;

import dev.tide.core.SyncProtocol;
import dev.tide.core.Synchronous;
import dev.tide.core.impl.OptionChecks;
import dev.tide.core.impl.OptionsJson;
import dev.tide.core.impl.SslOptionsJson;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;

import static dev.tide.core.impl.OptionChecks.atLeast;

/** Options of a tide sync server. A Vert.x data object (defaults, copy/JSON constructors, {@link #toJson()}). */
public class TideServerOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;
  public static final String DEFAULT_DB_PATH = "tide-server.db";
  public static final Synchronous DEFAULT_SYNCHRONOUS = Synchronous.NORMAL;
  public static final int DEFAULT_POSTGRES_POOL_SIZE = 4;
  public static final int DEFAULT_POSTGRES_TIMEOUT_SECONDS = 30;
  public static final int DEFAULT_MAX_BODY_BYTES = SyncProtocol.MAX_REQUEST_BYTES;
  public static final int DEFAULT_MAX_OPS_PER_REQUEST = SyncProtocol.MAX_OPS;
  public static final int DEFAULT_LIMIT = SyncProtocol.DEFAULT_LIMIT;
  public static final int DEFAULT_MAX_LIMIT = SyncProtocol.MAX_LIMIT;
  public static final int DEFAULT_MAX_RESPONSE_BYTES = SyncProtocol.MAX_RESPONSE_BYTES;
  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 10;
  public static final int DEFAULT_MAX_DOCUMENT_BYTES = dev.tide.core.ChangeCodec.MAX_DOC_BYTES;
  public static final int DEFAULT_WS_IDLE_TIMEOUT_SECONDS = 45;
  public static final int DEFAULT_WS_SLOW_CLIENT_SECONDS = 30;
  public static final int DEFAULT_BODY_TIMEOUT_SECONDS = 30;
  public static final long DEFAULT_TOMBSTONE_RETENTION_SECONDS = 30L * 24 * 3600;
  public static final long DEFAULT_PURGE_INTERVAL_SECONDS = 3600;
  /** A quarter of the heap, at most 256 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_BODY_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private String dbPath = DEFAULT_DB_PATH;
  private Synchronous synchronous = DEFAULT_SYNCHRONOUS;
  private String postgresUrl;
  private int postgresPoolSize = DEFAULT_POSTGRES_POOL_SIZE;
  private int postgresTimeoutSeconds = DEFAULT_POSTGRES_TIMEOUT_SECONDS;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxOpsPerRequest = DEFAULT_MAX_OPS_PER_REQUEST;
  private int defaultLimit = DEFAULT_LIMIT;
  private int maxLimit = DEFAULT_MAX_LIMIT;
  private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
  private int shutdownGraceSeconds = DEFAULT_SHUTDOWN_GRACE_SECONDS;
  private int maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;
  private int wsIdleTimeoutSeconds = DEFAULT_WS_IDLE_TIMEOUT_SECONDS;
  private int wsSlowClientSeconds = DEFAULT_WS_SLOW_CLIENT_SECONDS;
  private long tombstoneRetentionSeconds = DEFAULT_TOMBSTONE_RETENTION_SECONDS;
  private long purgeIntervalSeconds = DEFAULT_PURGE_INTERVAL_SECONDS;
  private long maxBufferedBodyBytes = DEFAULT_MAX_BUFFERED_BODY_BYTES;
  private int bodyTimeoutSeconds = DEFAULT_BODY_TIMEOUT_SECONDS;
  private ServerSSLOptions sslOptions;

  public TideServerOptions() {
  }

  public TideServerOptions(TideServerOptions other) {
    this(other.toJson());
    this.sslOptions = other.sslOptions == null ? null : new ServerSSLOptions(other.sslOptions); // key stores built in code too
  }

  public TideServerOptions(JsonObject json) {
    OptionsJson j = new OptionsJson("TideServerOptions", json);
    setHost(j.stringValue("host", host));
    setPort(j.intValue("port", port));
    setDbPath(j.stringValue("dbPath", dbPath));
    synchronous = j.enumValue("synchronous", Synchronous.class, synchronous);
    setPostgresUrl(j.stringValue("postgresUrl", postgresUrl));
    setPostgresPoolSize(j.intValue("postgresPoolSize", postgresPoolSize));
    setPostgresTimeoutSeconds(j.intValue("postgresTimeoutSeconds", postgresTimeoutSeconds));
    setMaxBodyBytes(j.intValue("maxBodyBytes", maxBodyBytes));
    setMaxOpsPerRequest(j.intValue("maxOpsPerRequest", maxOpsPerRequest));
    setDefaultLimit(j.intValue("defaultLimit", defaultLimit));
    setMaxLimit(j.intValue("maxLimit", maxLimit));
    setMaxResponseBytes(j.intValue("maxResponseBytes", maxResponseBytes));
    setShutdownGraceSeconds(j.intValue("shutdownGraceSeconds", shutdownGraceSeconds));
    setMaxDocumentBytes(j.intValue("maxDocumentBytes", maxDocumentBytes));
    setWsIdleTimeoutSeconds(j.intValue("wsIdleTimeoutSeconds", wsIdleTimeoutSeconds));
    setWsSlowClientSeconds(j.intValue("wsSlowClientSeconds", wsSlowClientSeconds));
    setTombstoneRetentionSeconds(j.longValue("tombstoneRetentionSeconds", tombstoneRetentionSeconds));
    setPurgeIntervalSeconds(j.longValue("purgeIntervalSeconds", purgeIntervalSeconds));
    setMaxBufferedBodyBytes(j.longValue("maxBufferedBodyBytes", maxBufferedBodyBytes));
    setBodyTimeoutSeconds(j.intValue("bodyTimeoutSeconds", bodyTimeoutSeconds));
    JsonObject ssl = j.objectValue("ssl");
    if (ssl != null) {
      sslOptions = SslOptionsJson.server("TideServerOptions", "ssl", ssl);
    } else if (json.containsKey("ssl")) {
      throw new IllegalArgumentException("invalid TideServerOptions JSON: ssl must not be null, got null");
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("host", host)
      .put("port", port)
      .put("dbPath", dbPath)
      .put("synchronous", synchronous.name())
      .put("postgresPoolSize", postgresPoolSize)
      .put("postgresTimeoutSeconds", postgresTimeoutSeconds)
      .put("maxBodyBytes", maxBodyBytes)
      .put("maxOpsPerRequest", maxOpsPerRequest)
      .put("defaultLimit", defaultLimit)
      .put("maxLimit", maxLimit)
      .put("maxResponseBytes", maxResponseBytes)
      .put("shutdownGraceSeconds", shutdownGraceSeconds)
      .put("maxDocumentBytes", maxDocumentBytes)
      .put("wsIdleTimeoutSeconds", wsIdleTimeoutSeconds)
      .put("wsSlowClientSeconds", wsSlowClientSeconds)
      .put("tombstoneRetentionSeconds", tombstoneRetentionSeconds)
      .put("purgeIntervalSeconds", purgeIntervalSeconds)
      .put("maxBufferedBodyBytes", maxBufferedBodyBytes)
      .put("bodyTimeoutSeconds", bodyTimeoutSeconds);
    if (postgresUrl != null) {
      json.put("postgresUrl", postgresUrl);
    }
    if (sslOptions != null) {
      json.put("ssl", SslOptionsJson.write(sslOptions));
    }
    return json;
  }

  /** Interface to listen on; loopback by default. */
  public String getHost() {
    return host;
  }

  public TideServerOptions setHost(String host) {
    if (OptionChecks.notNull(host, "host").isBlank()) { // refused here, not by the listen after the store opened
      throw new IllegalArgumentException("host must not be empty, got \"" + host + "\"");
    }
    this.host = host;
    return this;
  }

  /** Port to listen on; 0 picks a free port. */
  public int getPort() {
    return port;
  }

  public TideServerOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    this.port = port;
    return this;
  }

  /**
   * The PostgreSQL database to serve instead of the SQLite file, as a URL:
   * {@code postgresql://user:password@host:port/database}, with {@code ?search_path=schema} for another
   * schema than the default. Several server instances given the same database (and schema) serve the
   * same data: each one's WebSocket clients are pushed the others' commits (LISTEN/NOTIFY). Null (the
   * default): the embedded SQLite store at {@link #getDbPath()}.
   */
  public String getPostgresUrl() {
    return postgresUrl;
  }

  public TideServerOptions setPostgresUrl(String postgresUrl) {
    if (postgresUrl != null) {
      try { // refused here, not by the open after the server was configured
        io.vertx.pgclient.PgConnectOptions.fromUri(postgresUrl);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("postgresUrl must be a URL postgresql://[user[:password]@]host[:port][/database],"
          + " got \"" + dev.tide.server.impl.PgServerStore.redacted(postgresUrl) + "\": "
          + dev.tide.server.impl.PgServerStore.redacted(postgresUrl, e.getMessage()));
      }
    }
    this.postgresUrl = postgresUrl;
    return this;
  }

  /** Connections to PostgreSQL this server holds at most (pushes, pulls); one more listens for the other instances' commits. */
  public int getPostgresPoolSize() {
    return postgresPoolSize;
  }

  public TideServerOptions setPostgresPoolSize(int postgresPoolSize) {
    this.postgresPoolSize = atLeast(postgresPoolSize, 1, "postgresPoolSize");
    return this;
  }

  /**
   * How long this server waits on PostgreSQL before it gives up: a push waits at most this long for the
   * lock another push holds, a connection attempt gives up after it, and a connection that leaves a call
   * unanswered for twice this long is closed (a database or link that died without a reset). The call then
   * fails with 503 and the client retries; a transaction this server leaves idle for twice this long is
   * ended by the database, so an instance that died mid-push holds no lock for longer.
   */
  public int getPostgresTimeoutSeconds() {
    return postgresTimeoutSeconds;
  }

  public TideServerOptions setPostgresTimeoutSeconds(int postgresTimeoutSeconds) {
    if (postgresTimeoutSeconds > 86_400) { // a day: more is a mistake (and twice it must fit in an int)
      throw new IllegalArgumentException("postgresTimeoutSeconds must be at most 86400, got " + postgresTimeoutSeconds);
    }
    this.postgresTimeoutSeconds = atLeast(postgresTimeoutSeconds, 1, "postgresTimeoutSeconds");
    return this;
  }

  /** The server's SQLite file: a file's path, refused as {@link dev.tide.core.TideOptions#getDbPath()} says. */
  public String getDbPath() {
    return dbPath;
  }

  public TideServerOptions setDbPath(String dbPath) {
    this.dbPath = OptionChecks.dbPath(dbPath, "dbPath");
    return this;
  }

  public Synchronous getSynchronous() {
    return synchronous;
  }

  public TideServerOptions setSynchronous(Synchronous synchronous) {
    this.synchronous = OptionChecks.notNull(synchronous, "synchronous");
    return this;
  }

  /** Largest request body; larger requests get 413. At most the protocol's 16 MiB: clients never send more. */
  public int getMaxBodyBytes() {
    return maxBodyBytes;
  }

  public TideServerOptions setMaxBodyBytes(int maxBodyBytes) {
    if (maxBodyBytes > SyncProtocol.MAX_REQUEST_BYTES) { // the protocol's own limit, and its parser's
      throw new IllegalArgumentException("maxBodyBytes must be <= " + SyncProtocol.MAX_REQUEST_BYTES + ", got " + maxBodyBytes);
    }
    this.maxBodyBytes = atLeast(maxBodyBytes, 1, "maxBodyBytes");
    return this;
  }

  /** Most ops in one request; more get 413. At most the protocol's 10,000: its parser reads no more. */
  public int getMaxOpsPerRequest() {
    return maxOpsPerRequest;
  }

  public TideServerOptions setMaxOpsPerRequest(int maxOpsPerRequest) {
    if (maxOpsPerRequest > SyncProtocol.MAX_OPS) { // the protocol's own limit, and its parser's
      throw new IllegalArgumentException("maxOpsPerRequest must be <= " + SyncProtocol.MAX_OPS + ", got " + maxOpsPerRequest);
    }
    this.maxOpsPerRequest = atLeast(maxOpsPerRequest, 1, "maxOpsPerRequest");
    return this;
  }

  /** Changes per response when the request gives no {@code limit}. */
  public int getDefaultLimit() {
    return defaultLimit;
  }

  public TideServerOptions setDefaultLimit(int defaultLimit) {
    this.defaultLimit = atLeast(defaultLimit, 1, "defaultLimit");
    return this;
  }

  /** Largest {@code limit} honoured; larger ones are clamped. At most the protocol's 10,000. */
  public int getMaxLimit() {
    return maxLimit;
  }

  public TideServerOptions setMaxLimit(int maxLimit) {
    if (maxLimit > SyncProtocol.MAX_LIMIT) { // the protocol clamps every limit to it (PROTOCOL.md section 3)
      throw new IllegalArgumentException("maxLimit must be <= " + SyncProtocol.MAX_LIMIT + ", got " + maxLimit);
    }
    this.maxLimit = atLeast(maxLimit, 1, "maxLimit");
    return this;
  }

  /** A response stops adding changes past about this many bytes (at least one change is sent). At most the protocol's 8 MiB. */
  public int getMaxResponseBytes() {
    return maxResponseBytes;
  }

  public TideServerOptions setMaxResponseBytes(int maxResponseBytes) {
    if (maxResponseBytes > SyncProtocol.MAX_RESPONSE_BYTES) { // clients read at most 32 MiB of a message, pushes too
      throw new IllegalArgumentException("maxResponseBytes must be <= " + SyncProtocol.MAX_RESPONSE_BYTES + ", got " + maxResponseBytes);
    }
    this.maxResponseBytes = atLeast(maxResponseBytes, 1, "maxResponseBytes");
    return this;
  }

  /** On stop, in-flight requests get this long to finish before connections are closed. */
  public int getShutdownGraceSeconds() {
    return shutdownGraceSeconds;
  }

  public TideServerOptions setShutdownGraceSeconds(int shutdownGraceSeconds) {
    this.shutdownGraceSeconds = atLeast(shutdownGraceSeconds, 0, "shutdownGraceSeconds");
    return this;
  }

  /** Largest document accepted, serialized; may be set below the protocol's 1 MiB (ops above get 400 on their field). */
  public int getMaxDocumentBytes() {
    return maxDocumentBytes;
  }

  public TideServerOptions setMaxDocumentBytes(int maxDocumentBytes) {
    if (maxDocumentBytes > DEFAULT_MAX_DOCUMENT_BYTES) { // the protocol's own limit: documents are never larger
      throw new IllegalArgumentException("maxDocumentBytes must be <= " + DEFAULT_MAX_DOCUMENT_BYTES + ", got " + maxDocumentBytes);
    }
    this.maxDocumentBytes = atLeast(maxDocumentBytes, 1, "maxDocumentBytes");
    return this;
  }

  /** WebSocket: the server pings every third of this; a connection silent for this long is closed. */
  public int getWsIdleTimeoutSeconds() {
    return wsIdleTimeoutSeconds;
  }

  public TideServerOptions setWsIdleTimeoutSeconds(int wsIdleTimeoutSeconds) {
    this.wsIdleTimeoutSeconds = atLeast(wsIdleTimeoutSeconds, 1, "wsIdleTimeoutSeconds");
    return this;
  }

  /** WebSocket: a client that cannot take pushes (socket full) for this long is disconnected; it resumes by cursor. */
  public int getWsSlowClientSeconds() {
    return wsSlowClientSeconds;
  }

  public TideServerOptions setWsSlowClientSeconds(int wsSlowClientSeconds) {
    this.wsSlowClientSeconds = atLeast(wsSlowClientSeconds, 1, "wsSlowClientSeconds");
    return this;
  }

  /**
   * Deleted documents are kept as tombstones this long, then purged; 0 keeps them forever. A client
   * whose cursor is older than the purged history must pull everything again (409 reset_required).
   */
  public long getTombstoneRetentionSeconds() {
    return tombstoneRetentionSeconds;
  }

  public TideServerOptions setTombstoneRetentionSeconds(long tombstoneRetentionSeconds) {
    this.tombstoneRetentionSeconds = atLeast(tombstoneRetentionSeconds, 0, "tombstoneRetentionSeconds");
    return this;
  }

  /** How often the purge of old tombstones runs. */
  public long getPurgeIntervalSeconds() {
    return purgeIntervalSeconds;
  }

  public TideServerOptions setPurgeIntervalSeconds(long purgeIntervalSeconds) {
    this.purgeIntervalSeconds = atLeast(purgeIntervalSeconds, 1, "purgeIntervalSeconds");
    return this;
  }

  /**
   * Request bodies being received are buffered up to this many bytes in total, across all requests,
   * HTTP and WebSocket (each counts the bytes that have arrived, not what its Content-Length announces):
   * further requests get 429 until memory frees up, so many concurrent large uploads cannot exhaust the
   * heap. The body limit is {@link #getMaxBodyBytes()}, or this budget if it is smaller: a larger request
   * gets 413. How long one request may hold its bytes while it arrives: {@link #getBodyTimeoutSeconds()}.
   */
  public long getMaxBufferedBodyBytes() {
    return maxBufferedBodyBytes;
  }

  public TideServerOptions setMaxBufferedBodyBytes(long maxBufferedBodyBytes) {
    this.maxBufferedBodyBytes = atLeast(maxBufferedBodyBytes, 1, "maxBufferedBodyBytes");
    return this;
  }

  /**
   * One request body (HTTP) or WebSocket message must arrive whole within this many seconds of its
   * first byte being awaited; a slower one is refused (408; HTTP/1.1 then closes the connection, HTTP/2
   * resets the stream, a WebSocket stays open) and its bytes are let go, so a client that trickles cannot
   * hold the memory budget.
   */
  public int getBodyTimeoutSeconds() {
    return bodyTimeoutSeconds;
  }

  public TideServerOptions setBodyTimeoutSeconds(int bodyTimeoutSeconds) {
    this.bodyTimeoutSeconds = atLeast(bodyTimeoutSeconds, 1, "bodyTimeoutSeconds");
    return this;
  }

  /**
   * TLS (null, the default: plain HTTP): the server's certificate ({@code setKeyCertOptions}), and for mutual
   * TLS the CAs of client certificates ({@code setTrustOptions}) with {@code setClientAuth(REQUIRED)}. Used by
   * {@code tide-server} and {@link TideServerVerticle}, and by {@link TideServer#httpServerOptions} for a
   * server of your own.
   */
  public ServerSSLOptions getSslOptions() {
    return sslOptions;
  }

  public TideServerOptions setSslOptions(ServerSSLOptions sslOptions) {
    this.sslOptions = sslOptions == null ? null : new ServerSSLOptions(sslOptions);
    return this;
  }
}

package dev.tide.core;

import dev.tide.core.impl.OptionChecks;
import dev.tide.core.impl.OptionsJson;
import dev.tide.core.impl.RequestHeaders;
import dev.tide.core.impl.SslOptionsJson;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.core.spi.SyncUrls;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a {@link Tide} client syncs: where the server is, with which transport, and how often. A Vert.x
 * data object; {@link #setHeadersProvider} and {@link #setTransportFactory} are programmatic only (not
 * in JSON).
 */
public class SyncOptions {

  public static final String DEFAULT_TRANSPORT = "http";
  public static final long DEFAULT_INTERVAL_MS = 5_000;
  public static final long DEFAULT_BACKOFF_INITIAL_MS = 500;
  public static final long DEFAULT_BACKOFF_MAX_MS = 30_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_PUSH_BATCH_OPS = 5_000;
  public static final int DEFAULT_PUSH_BATCH_BYTES = 4 << 20;
  public static final int DEFAULT_PULL_LIMIT = 5_000;
  public static final long DEFAULT_HEARTBEAT_MS = 15_000;

  private String url;
  private String transport = DEFAULT_TRANSPORT;
  private Map<String, String> headers = new LinkedHashMap<>();
  private long intervalMs = DEFAULT_INTERVAL_MS;
  private long backoffInitialMs = DEFAULT_BACKOFF_INITIAL_MS;
  private long backoffMaxMs = DEFAULT_BACKOFF_MAX_MS;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private int pushBatchOps = DEFAULT_PUSH_BATCH_OPS;
  private int pushBatchBytes = DEFAULT_PUSH_BATCH_BYTES;
  private int pullLimit = DEFAULT_PULL_LIMIT;
  private long heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private boolean autoStart;
  private ClientSSLOptions sslOptions;
  private HeadersProvider headersProvider;
  private SyncTransportFactory transportFactory;

  public SyncOptions() {
  }

  public SyncOptions(SyncOptions other) {
    this(other.toJson());
    this.sslOptions = other.sslOptions == null ? null : new ClientSSLOptions(other.sslOptions); // key stores built in code too
    this.headersProvider = other.headersProvider;
    this.transportFactory = other.transportFactory;
  }

  public SyncOptions(JsonObject json) {
    OptionsJson j = new OptionsJson("SyncOptions", json);
    setUrl(j.stringValue("url", null));
    setTransport(j.stringValue("transport", transport));
    headers = checkedHeaders(j.stringMapValue("headers"));
    setIntervalMs(j.longValue("intervalMs", intervalMs));
    setBackoffInitialMs(j.longValue("backoffInitialMs", backoffInitialMs));
    setBackoffMaxMs(j.longValue("backoffMaxMs", backoffMaxMs));
    setRequestTimeoutMs(j.longValue("requestTimeoutMs", requestTimeoutMs));
    setPushBatchOps(j.intValue("pushBatchOps", pushBatchOps));
    setPushBatchBytes(j.intValue("pushBatchBytes", pushBatchBytes));
    setPullLimit(j.intValue("pullLimit", pullLimit));
    setHeartbeatMs(j.longValue("heartbeatMs", heartbeatMs));
    autoStart = j.booleanValue("autoStart", autoStart);
    JsonObject ssl = j.objectValue("ssl");
    if (ssl != null) {
      sslOptions = SslOptionsJson.client("SyncOptions", "ssl", ssl);
    } else if (json.containsKey("ssl")) {
      throw new IllegalArgumentException("invalid SyncOptions JSON: ssl must not be null, got null");
    }
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("transport", transport)
      .put("headers", new JsonObject(new LinkedHashMap<>(headers)))
      .put("intervalMs", intervalMs)
      .put("backoffInitialMs", backoffInitialMs)
      .put("backoffMaxMs", backoffMaxMs)
      .put("requestTimeoutMs", requestTimeoutMs)
      .put("pushBatchOps", pushBatchOps)
      .put("pushBatchBytes", pushBatchBytes)
      .put("pullLimit", pullLimit)
      .put("heartbeatMs", heartbeatMs)
      .put("autoStart", autoStart);
    if (url != null) {
      json.put("url", url);
    }
    if (sslOptions != null) {
      json.put("ssl", SslOptionsJson.write(sslOptions));
    }
    return json;
  }

  /**
   * The server's sync endpoint, e.g. {@code http://127.0.0.1:8000/sync}. Both transports take any URL
   * accepted here ({@link SyncUrls}): {@code http(s)} or {@code ws(s)}, in any case; over HTTP a trailing
   * {@code /ws} is dropped, over WebSocket {@code /ws} is appended to the path ({@code ws://…/sync/ws});
   * port and query are kept; user info is sent as {@code Authorization: Basic} unless a header sets
   * {@code Authorization}.
   */
  public String getUrl() {
    return url;
  }

  /** @throws IllegalArgumentException if not an absolute http(s) or ws(s) URL with a host and no fragment */
  public SyncOptions setUrl(String url) {
    if (url != null) {
      SyncUrls.check(url);
    }
    this.url = url;
    return this;
  }

  /** Transport name: {@code "http"} (default) or {@code "websocket"}; swap it and nothing else changes. */
  public String getTransport() {
    return transport;
  }

  public SyncOptions setTransport(String transport) {
    this.transport = OptionChecks.notNull(transport, "transport");
    return this;
  }

  /**
   * Static headers sent with every exchange (e.g. an API key). Header names ignore case: two whose names
   * differ only in case are refused by {@link #setHeaders} (and from JSON) with an IllegalArgumentException
   * naming both; {@link #addHeader} replaces a header of the same name in any case. Read-only: a header
   * put in the map returned would skip those checks, so set them with {@link #setHeaders} or {@link #addHeader}.
   */
  public Map<String, String> getHeaders() {
    return java.util.Collections.unmodifiableMap(headers);
  }

  public SyncOptions setHeaders(Map<String, String> headers) {
    this.headers = checkedHeaders(OptionChecks.notNull(headers, "headers"));
    return this;
  }

  public SyncOptions addHeader(String name, String value) {
    checkedHeader(name, value);
    headers.keySet().removeIf(name::equalsIgnoreCase); // the same header: both would be sent, a server reads the first
    headers.put(name, value);
    return this;
  }

  /** Which of two values is meant is unknown (a map's order is no intent): refused, naming both. */
  private static Map<String, String> checkedHeaders(Map<String, String> headers) {
    Map<String, String> checked = new LinkedHashMap<>();
    Map<String, String> byLowerCase = new java.util.HashMap<>();
    headers.forEach((name, value) -> {
      String other = byLowerCase.putIfAbsent(checkedHeader(name, value).toLowerCase(java.util.Locale.ROOT), name);
      if (other != null) {
        throw new IllegalArgumentException("headers." + other + " and headers." + name
          + " name the same header (HTTP header names ignore case): keep one");
      }
      checked.put(name, value);
    });
    return checked;
  }

  /** A null name or value, or one HTTP cannot carry, would fail every exchange later, far from where it was set. */
  private static String checkedHeader(String name, String value) {
    OptionChecks.notNull(name, "a header name");
    OptionChecks.notNull(value, "headers." + name);
    return RequestHeaders.checked(name, value, "headers.");
  }

  /** Background sync: time between syncs when nothing happens (polling; ignored while a push transport is connected). */
  public long getIntervalMs() {
    return intervalMs;
  }

  public SyncOptions setIntervalMs(long intervalMs) {
    this.intervalMs = OptionChecks.atLeast(intervalMs, 1, "intervalMs");
    return this;
  }

  /** First retry delay after a failure; doubles per failure (with jitter) up to {@link #getBackoffMaxMs()}. */
  public long getBackoffInitialMs() {
    return backoffInitialMs;
  }

  public SyncOptions setBackoffInitialMs(long backoffInitialMs) {
    this.backoffInitialMs = OptionChecks.atLeast(backoffInitialMs, 1, "backoffInitialMs");
    return this;
  }

  public long getBackoffMaxMs() {
    return backoffMaxMs;
  }

  public SyncOptions setBackoffMaxMs(long backoffMaxMs) {
    this.backoffMaxMs = OptionChecks.atLeast(backoffMaxMs, 1, "backoffMaxMs");
    return this;
  }

  /**
   * An exchange that makes no progress this long (no part of the request taken, no part of the answer
   * received) fails, and is retried with smaller pushes and pulls (replays are harmless).
   */
  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  public SyncOptions setRequestTimeoutMs(long requestTimeoutMs) {
    this.requestTimeoutMs = OptionChecks.atLeast(requestTimeoutMs, 1, "requestTimeoutMs");
    return this;
  }

  /** Most ops pushed per exchange. */
  public int getPushBatchOps() {
    return pushBatchOps;
  }

  public SyncOptions setPushBatchOps(int pushBatchOps) {
    this.pushBatchOps = OptionChecks.atLeast(pushBatchOps, 1, "pushBatchOps");
    return this;
  }

  /** About this many UTF-8 bytes of documents pushed per exchange (at least one op). */
  public int getPushBatchBytes() {
    return pushBatchBytes;
  }

  public SyncOptions setPushBatchBytes(int pushBatchBytes) {
    this.pushBatchBytes = OptionChecks.atLeast(pushBatchBytes, 1, "pushBatchBytes");
    return this;
  }

  /** The {@code limit} of changes asked per exchange. */
  public int getPullLimit() {
    return pullLimit;
  }

  public SyncOptions setPullLimit(int pullLimit) {
    this.pullLimit = OptionChecks.atLeast(pullLimit, 1, "pullLimit");
    return this;
  }

  /** WebSocket: ping interval; a peer silent for two intervals is considered dead. */
  public long getHeartbeatMs() {
    return heartbeatMs;
  }

  public SyncOptions setHeartbeatMs(long heartbeatMs) {
    this.heartbeatMs = OptionChecks.atLeast(heartbeatMs, 1, "heartbeatMs");
    return this;
  }

  /** Start background sync as soon as the store opens (as if {@link Tide#startSync()} were called). */
  public boolean isAutoStart() {
    return autoStart;
  }

  public SyncOptions setAutoStart(boolean autoStart) {
    this.autoStart = autoStart;
    return this;
  }

  /**
   * TLS for an {@code https}/{@code wss} url (null, the default: the JVM's trusted CAs, host names verified):
   * a private CA's certificates ({@code setTrustOptions}), a client certificate for mutual TLS
   * ({@code setKeyCertOptions}), protocols, ciphers, handshake timeout. Both transports use it.
   */
  public ClientSSLOptions getSslOptions() {
    return sslOptions;
  }

  public SyncOptions setSslOptions(ClientSSLOptions sslOptions) {
    this.sslOptions = sslOptions == null ? null : new ClientSSLOptions(sslOptions);
    return this;
  }

  /** Per-exchange headers, e.g. a refreshed short-lived token (merged over the static headers). */
  public HeadersProvider getHeadersProvider() {
    return headersProvider;
  }

  public SyncOptions setHeadersProvider(HeadersProvider headersProvider) {
    this.headersProvider = headersProvider;
    return this;
  }

  /** A transport to use instead of looking {@link #getTransport()} up with {@link java.util.ServiceLoader}. */
  public SyncTransportFactory getTransportFactory() {
    return transportFactory;
  }

  public SyncOptions setTransportFactory(SyncTransportFactory transportFactory) {
    this.transportFactory = transportFactory;
    return this;
  }
}

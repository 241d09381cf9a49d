package dev.tide.core.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.ServerSSLOptions;

import java.util.HashMap;
import java.util.Map;

/**
 * TLS options as JSON ({@code SyncOptions.ssl}, {@code TideServerOptions.ssl}): Vert.x's {@link ClientSSLOptions}
 * or {@link ServerSSLOptions} fields, plus the key and trust stores under the names Vert.x's client and server
 * options use in JSON ({@code pemTrustOptions}, {@code pfxTrustOptions}, {@code trustStoreOptions},
 * {@code pemKeyCertOptions}, {@code pfxKeyCertOptions}, {@code keyStoreOptions}), which the SSL options' own
 * JSON leaves out. Vert.x's converters skip a value of the wrong type without a word ({@code "trustAll": "yes"}
 * reads as false); here it is refused, naming the field.
 */
public final class SslOptionsJson {

  private static final Map<String, Class<?>> TYPES = Map.ofEntries(
    Map.entry("useAlpn", Boolean.class), Map.entry("sslHandshakeTimeoutUnit", String.class),
    Map.entry("sslHandshakeTimeout", Number.class),
    Map.entry("enabledCipherSuites", JsonArray.class), Map.entry("crlPaths", JsonArray.class), Map.entry("crlValues", JsonArray.class),
    Map.entry("enabledSecureTransportProtocols", JsonArray.class), Map.entry("applicationLayerProtocols", JsonArray.class),
    Map.entry("pemTrustOptions", JsonObject.class), Map.entry("pfxTrustOptions", JsonObject.class),
    Map.entry("trustStoreOptions", JsonObject.class), Map.entry("pemKeyCertOptions", JsonObject.class),
    Map.entry("pfxKeyCertOptions", JsonObject.class), Map.entry("keyStoreOptions", JsonObject.class));
  private static final Map<String, Class<?>> CLIENT_TYPES = with(Map.of("trustAll", Boolean.class,
    "hostnameVerificationAlgorithm", String.class));
  private static final Map<String, Class<?>> SERVER_TYPES = with(Map.of("clientAuth", String.class, "sni", Boolean.class));

  /** The fields of the key and trust stores, as Vert.x reads them: a string, or a list of strings ({@code List.class}). */
  private static final Map<String, Class<?>> KEY_STORE_FIELDS = Map.of("path", String.class, "password", String.class,
    "value", String.class, "alias", String.class, "aliasPassword", String.class);
  private static final Map<String, Map<String, Class<?>>> STORE_FIELDS = Map.of(
    "pemTrustOptions", Map.of("certPaths", java.util.List.class, "certValues", java.util.List.class),
    "pemKeyCertOptions", Map.of("keyPath", String.class, "certPath", String.class, "keyValue", String.class, "certValue", String.class,
      "keyPaths", java.util.List.class, "certPaths", java.util.List.class, "keyValues", java.util.List.class, "certValues", java.util.List.class),
    "pfxTrustOptions", KEY_STORE_FIELDS, "trustStoreOptions", KEY_STORE_FIELDS,
    "pfxKeyCertOptions", KEY_STORE_FIELDS, "keyStoreOptions", KEY_STORE_FIELDS);

  private SslOptionsJson() {
  }

  private static Map<String, Class<?>> with(Map<String, Class<?>> more) {
    Map<String, Class<?>> all = new HashMap<>(TYPES);
    all.putAll(more);
    return Map.copyOf(all);
  }

  /**
   * Client options from {@code json}, the value of {@code key} in a {@code type} ("SyncOptions"); an
   * IllegalArgumentException names a mistyped field.
   */
  public static ClientSSLOptions client(String type, String key, JsonObject json) {
    check(type, key, json, CLIENT_TYPES);
    return readStores(json, new ClientSSLOptions(json));
  }

  /** Server options, as {@link #client}; a {@code clientAuth} other than NONE, REQUEST or REQUIRED is refused too. */
  public static ServerSSLOptions server(String type, String key, JsonObject json) {
    check(type, key, json, SERVER_TYPES);
    String clientAuth = json.getString("clientAuth");
    if (clientAuth != null && !java.util.Set.of("NONE", "REQUEST", "REQUIRED").contains(clientAuth)) {
      throw new IllegalArgumentException("invalid " + type + " JSON: " + key + ".clientAuth must be one of NONE, REQUEST, REQUIRED, got " + clientAuth);
    }
    return readStores(json, new ServerSSLOptions(json));
  }

  /**
   * A key of server {@code json} (or of a key or trust store in it) that these options do not read, as
   * {@code key.name} (e.g. {@code ssl.clientAuht}), with the keys known where it is; null when there is none.
   * For a strict reader (tide-server's --config): a misspelt {@code clientAuth} would not require client certificates.
   */
  public static Map.Entry<String, java.util.Set<String>> unknownServerKey(String key, JsonObject json) {
    for (String field : json.fieldNames()) {
      if (!SERVER_TYPES.containsKey(field)) {
        return Map.entry(key + "." + field, new java.util.TreeSet<>(SERVER_TYPES.keySet()));
      }
      Map<String, Class<?>> fields = STORE_FIELDS.get(field);
      if (fields != null && json.getValue(field) instanceof JsonObject store) {
        for (String inner : store.fieldNames()) {
          if (!fields.containsKey(inner)) {
            return Map.entry(key + "." + field + "." + inner, new java.util.TreeSet<>(fields.keySet()));
          }
        }
      }
    }
    return null;
  }

  private static void check(String type, String key, JsonObject json, Map<String, Class<?>> types) {
    types.forEach((field, expected) -> {
      Object v = json.getValue(field);
      if (json.containsKey(field) && !expected.isInstance(v)) {
        throw new IllegalArgumentException("invalid " + type + " JSON: " + key + "." + field + " must be a "
          + (expected == JsonObject.class ? "JSON object" : expected == JsonArray.class ? "JSON array" : expected.getSimpleName().toLowerCase())
          + ", got " + v);
      }
      if (v instanceof JsonArray list) { // Vert.x skips an item that is not a string
        strings(type, key + "." + field, list);
      }
    });
    // Vert.x takes a fraction as its whole part, and an unknown unit with a bare "No enum constant"
    if (json.containsKey("sslHandshakeTimeout")) {
      String field = key + ".sslHandshakeTimeout";
      new OptionsJson(type, new JsonObject().put(field, json.getValue("sslHandshakeTimeout"))).longValue(field, 0);
    }
    String unit = json.getString("sslHandshakeTimeoutUnit");
    if (unit != null && java.util.Arrays.stream(java.util.concurrent.TimeUnit.values()).noneMatch(u -> u.name().equals(unit))) {
      throw new IllegalArgumentException("invalid " + type + " JSON: " + key + ".sslHandshakeTimeoutUnit must be one of "
        + java.util.Arrays.toString(java.util.concurrent.TimeUnit.values()) + ", got " + unit);
    }
    // inside a key or trust store, Vert.x skips a value of the wrong type: a store without its certificate
    STORE_FIELDS.forEach((store, fields) -> {
      JsonObject o = json.getValue(store) instanceof JsonObject object ? object : null;
      if (o != null) {
        fields.forEach((field, expected) -> {
          Object v = o.getValue(field);
          String name = key + "." + store + "." + field;
          if (!o.containsKey(field)) {
            return;
          }
          if (expected == String.class && !(v instanceof String)) {
            throw new IllegalArgumentException("invalid " + type + " JSON: " + name + " must be a string, got " + v);
          }
          if (expected == java.util.List.class) {
            if (!(v instanceof JsonArray list)) {
              throw new IllegalArgumentException("invalid " + type + " JSON: " + name + " must be a JSON array of strings, got " + v);
            }
            strings(type, name, list);
          }
        });
      }
    });
  }

  private static void strings(String type, String name, JsonArray list) {
    for (Object item : list) {
      if (!(item instanceof String)) {
        throw new IllegalArgumentException("invalid " + type + " JSON: " + name + " must be a JSON array of strings, got " + list.encode());
      }
    }
  }

  private static <T extends SSLOptions> T readStores(JsonObject json, T options) {
    JsonObject o;
    if ((o = json.getJsonObject("pemTrustOptions")) != null) {
      options.setTrustOptions(new PemTrustOptions(o));
    } else if ((o = json.getJsonObject("pfxTrustOptions")) != null) {
      options.setTrustOptions(new PfxOptions(o));
    } else if ((o = json.getJsonObject("trustStoreOptions")) != null) {
      options.setTrustOptions(new JksOptions(o));
    }
    if ((o = json.getJsonObject("pemKeyCertOptions")) != null) {
      options.setKeyCertOptions(new PemKeyCertOptions(o));
    } else if ((o = json.getJsonObject("pfxKeyCertOptions")) != null) {
      options.setKeyCertOptions(new PfxOptions(o));
    } else if ((o = json.getJsonObject("keyStoreOptions")) != null) {
      options.setKeyCertOptions(new JksOptions(o));
    }
    return options;
  }

  /**
   * What a transport connects with (for an https or wss url): host names verified as HTTPS does unless the
   * options name an algorithm ("" turns it off; Vert.x refuses a connection whose options name none), and a
   * TLS handshake bounded by {@code requestTimeoutMs} unless the options set their own
   * {@code sslHandshakeTimeout}: Vert.x's 10 seconds would hold a silent server past a shorter
   * requestTimeoutMs, and cut a slow link's handshake short of a longer one. Without options, the JVM's CAs.
   */
  public static ClientSSLOptions forTransport(ClientSSLOptions options, long requestTimeoutMs) {
    ClientSSLOptions o = options == null ? new ClientSSLOptions() : new ClientSSLOptions(options);
    if (o.getHostnameVerificationAlgorithm() == null) {
      o.setHostnameVerificationAlgorithm("HTTPS");
    }
    if (o.getSslHandshakeTimeout() == SSLOptions.DEFAULT_SSL_HANDSHAKE_TIMEOUT
      && o.getSslHandshakeTimeoutUnit() == SSLOptions.DEFAULT_SSL_HANDSHAKE_TIMEOUT_TIME_UNIT) {
      o.setSslHandshakeTimeout(requestTimeoutMs);
      o.setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return o;
  }

  /** The JSON {@link #client} or {@link #server} takes back; a key or trust store of another kind (built in code) is left out. */
  public static JsonObject write(SSLOptions options) {
    JsonObject json = options.toJson();
    putStore(json, options.getTrustOptions(), "pemTrustOptions", "pfxTrustOptions", "trustStoreOptions");
    putStore(json, options.getKeyCertOptions(), "pemKeyCertOptions", "pfxKeyCertOptions", "keyStoreOptions");
    return json;
  }

  private static void putStore(JsonObject json, Object store, String pemKey, String pfxKey, String jksKey) {
    if (store instanceof PemTrustOptions pem) {
      json.put(pemKey, pem.toJson());
    } else if (store instanceof PemKeyCertOptions pem) {
      json.put(pemKey, pem.toJson());
    } else if (store instanceof PfxOptions pfx) {
      json.put(pfxKey, pfx.toJson());
    } else if (store instanceof JksOptions jks) {
      json.put(jksKey, jks.toJson());
    }
  }
}

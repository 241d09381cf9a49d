package dev.tide.core.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;

import java.util.Map;

/**
 * {@code SyncOptions.ssl} as JSON: Vert.x's {@link ClientSSLOptions} fields, plus its key and trust stores
 * under the names Vert.x's client options use in JSON ({@code pemTrustOptions}, {@code pfxTrustOptions},
 * {@code trustStoreOptions}, {@code pemKeyCertOptions}, {@code pfxKeyCertOptions}, {@code keyStoreOptions}),
 * which {@code ClientSSLOptions}' own JSON leaves out. Vert.x's converters skip a value of the wrong type
 * without a word ({@code "trustAll": "yes"} reads as false); here it is refused, naming the field.
 */
public final class SslOptionsJson {

  private static final Map<String, Class<?>> TYPES = Map.ofEntries(
    Map.entry("trustAll", Boolean.class), Map.entry("useAlpn", Boolean.class),
    Map.entry("hostnameVerificationAlgorithm", String.class), Map.entry("sslHandshakeTimeoutUnit", String.class),
    Map.entry("sslHandshakeTimeout", Number.class),
    Map.entry("enabledCipherSuites", JsonArray.class), Map.entry("crlPaths", JsonArray.class),
    Map.entry("enabledSecureTransportProtocols", JsonArray.class), Map.entry("applicationLayerProtocols", JsonArray.class),
    Map.entry("pemTrustOptions", JsonObject.class), Map.entry("pfxTrustOptions", JsonObject.class),
    Map.entry("trustStoreOptions", JsonObject.class), Map.entry("pemKeyCertOptions", JsonObject.class),
    Map.entry("pfxKeyCertOptions", JsonObject.class), Map.entry("keyStoreOptions", JsonObject.class));

  private SslOptionsJson() {
  }

  /** Reads {@code json} (the value of {@code key}); an IllegalArgumentException names a mistyped field. */
  public static ClientSSLOptions read(String key, JsonObject json) {
    TYPES.forEach((field, type) -> {
      Object v = json.getValue(field);
      if (json.containsKey(field) && !type.isInstance(v)) {
        throw new IllegalArgumentException("invalid SyncOptions JSON: " + key + "." + field + " must be a "
          + (type == JsonObject.class ? "JSON object" : type == JsonArray.class ? "JSON array" : type.getSimpleName().toLowerCase())
          + ", got " + v);
      }
    });
    ClientSSLOptions options = new ClientSSLOptions(json);
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
   * What a transport connects with (null: Vert.x's defaults): host names verified as HTTPS does unless the
   * options name an algorithm ("" turns it off). Vert.x refuses a connection whose options name none.
   */
  public static ClientSSLOptions forTransport(ClientSSLOptions options) {
    if (options == null || options.getHostnameVerificationAlgorithm() != null) {
      return options;
    }
    return new ClientSSLOptions(options).setHostnameVerificationAlgorithm("HTTPS");
  }

  /** The JSON {@link #read} takes back; a key or trust store of another kind (built in code) is left out. */
  public static JsonObject write(ClientSSLOptions options) {
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

package dev.tide.tests.core;

import dev.tide.core.SyncOptions;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.SslOptionsJson;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code SyncOptions.ssl} as a data object: key and trust stores read from JSON under Vert.x's names and
 * written back, mistyped fields refused naming them (Vert.x's own converters skip them without a word:
 * {@code "trustAll": "yes"} read as false), and copies that keep stores built in code.
 */
class SslOptionsTest {

  @Test
  void keyAndTrustStoresRoundTripThroughJson() {
    JsonObject json = new JsonObject().put("ssl", new JsonObject()
      .put("pfxTrustOptions", new JsonObject().put("path", "ca.p12").put("password", "pw"))
      .put("pfxKeyCertOptions", new JsonObject().put("path", "client.p12").put("password", "pw2"))
      .put("hostnameVerificationAlgorithm", "HTTPS"));
    SyncOptions options = new SyncOptions(json);
    assertEquals("ca.p12", ((PfxOptions) options.getSslOptions().getTrustOptions()).getPath());
    assertEquals("client.p12", ((PfxOptions) options.getSslOptions().getKeyCertOptions()).getPath());
    SyncOptions again = new SyncOptions(options.toJson());
    assertEquals("pw2", ((PfxOptions) again.getSslOptions().getKeyCertOptions()).getPassword());
    assertEquals("HTTPS", again.getSslOptions().getHostnameVerificationAlgorithm());
    assertNull(new SyncOptions().getSslOptions(), "none by default: the JVM's CAs");
    assertTrue(new SyncOptions().toJson().fieldNames().stream().noneMatch("ssl"::equals));
  }

  @Test
  void mistypedFieldsAreRefusedNamingThem() {
    assertNamed("ssl.trustAll", new JsonObject().put("ssl", new JsonObject().put("trustAll", "yes")));
    assertNamed("ssl.pemTrustOptions", new JsonObject().put("ssl", new JsonObject().put("pemTrustOptions", "ca.pem")));
    assertNamed("ssl", new JsonObject().put("ssl", "tls"));
    assertNamed("ssl", new JsonObject().putNull("ssl"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
      new TideOptions(new JsonObject().put("sync", new JsonObject().put("ssl", new JsonObject().put("useAlpn", 1)))));
    assertTrue(e.getMessage().contains("ssl.useAlpn"), e.getMessage());
  }

  /**
   * The values Vert.x's converters take wrongly without a word are refused too: a fraction of a timeout (read
   * as its whole part), an unknown time unit (a bare "No enum constant"), and a mistyped value inside a list
   * or a key or trust store (skipped: a store without its certificate, a list without the protocol).
   */
  @Test
  void mistypedValuesInsideFieldsAreRefusedNamingThem() {
    assertNamed("ssl.sslHandshakeTimeout", ssl(new JsonObject().put("sslHandshakeTimeout", 1.5)));
    assertNamed("ssl.sslHandshakeTimeoutUnit", ssl(new JsonObject().put("sslHandshakeTimeoutUnit", "SECOND")));
    assertNamed("ssl.enabledSecureTransportProtocols", ssl(new JsonObject().put("enabledSecureTransportProtocols", new JsonArray().add(1.3))));
    assertNamed("ssl.pemTrustOptions.certPaths", ssl(new JsonObject().put("pemTrustOptions", new JsonObject().put("certPaths", "ca.pem"))));
    assertNamed("ssl.pemKeyCertOptions.keyPaths", ssl(new JsonObject().put("pemKeyCertOptions", new JsonObject().put("keyPaths", new JsonArray().add(1)))));
    assertNamed("ssl.pfxKeyCertOptions.password", ssl(new JsonObject().put("pfxKeyCertOptions", new JsonObject().put("path", "a.p12").put("password", 1234))));
    assertNamed("ssl.trustStoreOptions.path", ssl(new JsonObject().put("trustStoreOptions", new JsonObject().putNull("path"))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SslOptionsJson.server("TideServerOptions", "ssl",
      new JsonObject().put("keyStoreOptions", new JsonObject().put("path", new JsonArray().add("a.jks")))));
    assertTrue(e.getMessage().contains("ssl.keyStoreOptions.path"), e.getMessage());
    // what is right still reads
    ClientSSLOptions ok = new SyncOptions(ssl(new JsonObject().put("sslHandshakeTimeout", 2.0).put("sslHandshakeTimeoutUnit", "MILLISECONDS")
      .put("pemKeyCertOptions", new JsonObject().put("keyPath", "k.pem").put("certPaths", new JsonArray().add("c.pem"))))).getSslOptions();
    assertEquals(2, ok.getSslHandshakeTimeout());
    assertEquals(java.util.concurrent.TimeUnit.MILLISECONDS, ok.getSslHandshakeTimeoutUnit());
  }

  private static JsonObject ssl(JsonObject ssl) {
    return new JsonObject().put("ssl", ssl);
  }

  @Test
  void copiesKeepStoresBuiltInCodeAndDoNotShareThem() {
    ClientSSLOptions ssl = new ClientSSLOptions().setKeyCertOptions(new KeyStoreOptions().setType("PKCS11").setPassword("pin"));
    SyncOptions options = new SyncOptions().setSslOptions(ssl);
    ssl.setTrustAll(true); // the caller's object, changed later, is not the options' own
    assertEquals(false, options.getSslOptions().isTrustAll());
    SyncOptions copy = new SyncOptions(options);
    assertInstanceOf(KeyStoreOptions.class, copy.getSslOptions().getKeyCertOptions(), "a PKCS11 store has no JSON form, yet is copied");
    assertEquals(copy.getSslOptions().getKeyCertOptions(), new TideOptions().setSync(options).getSync().getSslOptions().getKeyCertOptions());
  }

  private static void assertNamed(String field, JsonObject json) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SyncOptions(json));
    assertTrue(e.getMessage().contains(field), field + ": " + e.getMessage());
  }
}

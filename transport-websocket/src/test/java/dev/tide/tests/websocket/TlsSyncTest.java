package dev.tide.tests.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.core.impl.SslOptionsJson;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.TestCertificates;
import dev.tide.tests.core.TestCertificates.Certificate;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sync over TLS ({@code https}/{@code wss} urls) with a server whose certificate a private CA signed (here:
 * self-signed): trusted through {@code SyncOptions.ssl}, set in code or from JSON, on both transports. Without
 * it the JVM's CAs do not trust the server, and a trusted certificate for another host name is refused:
 * both fail as unreachable and keep the write pending. Before {@code ssl} there was no way to trust such a
 * server short of writing a transport.
 */
class TlsSyncTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void syncsWithAServerTrustedThroughSslOptionsFromJson(String transport, Vertx vertx) throws Exception {
    Certificate cert = certificate("ip:127.0.0.1");
    int port = tlsServer(vertx, cert);
    JsonObject json = new JsonObject().put("url", "https://127.0.0.1:" + port + "/sync").put("transport", transport)
      .put("ssl", new JsonObject().put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(cert.pem().toString()))));
    SyncOptions fromJson = new SyncOptions(json);
    Tide a = fx.client("a", s -> s.setUrl(fromJson.getUrl()).setTransport(transport).setSslOptions(fromJson.getSslOptions()));
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    a.syncOnce().await();
    assertEquals(0L, a.pendingCount().await());
    assertEquals(1, fx.serverState().size());
    assertEquals(List.of(cert.pem().toString()), ((PemTrustOptions) new SyncOptions(fromJson.toJson()).getSslOptions().getTrustOptions())
      .getCertPaths(), "kept through toJson");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void anUntrustedServerOrAnotherHostsCertificateFailsAsUnreachable(String transport, Vertx vertx) throws Exception {
    Certificate cert = certificate("ip:127.0.0.1");
    int port = tlsServer(vertx, cert);
    Tide a = fx.client("a", s -> s.setUrl("https://127.0.0.1:" + port + "/sync").setTransport(transport)); // the JVM's CAs
    a.collection("notes").put("x", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    assertEquals(SyncStatus.State.OFFLINE, a.syncStatus().await().state());
    assertEquals(1L, a.pendingCount().await(), "the write stays pending");

    Certificate other = certificate("dns:sync.example");
    int otherPort = tlsServer(vertx, other);
    ClientSSLOptions trustOther = new ClientSSLOptions().setTrustOptions(new PemTrustOptions().addCertPath(other.pem().toString()));
    Tide b = fx.client("b", s -> s.setUrl("https://127.0.0.1:" + otherPort + "/sync").setTransport(transport).setSslOptions(trustOther));
    b.collection("notes").put("y", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> b.syncOnce().await(), "host names are verified by default");
    assertEquals(1L, b.pendingCount().await());
  }

  /**
   * Mutual TLS: a server that requires a client certificate its CA signed (clientAuth REQUIRED in its
   * TideServerOptions ssl) syncs with a client presenting one (SyncOptions ssl's key store) and refuses
   * a client without.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aServerRequiringClientCertificatesSyncsOnlyWithClientsThatHaveOne(String transport, Vertx vertx) throws Exception {
    Certificate server = certificate("ip:127.0.0.1");
    Certificate client = certificate("dns:client.test");
    fx.startServer();
    TideServerOptions options = new TideServerOptions(new JsonObject().put("ssl", new JsonObject()
      .put("pfxKeyCertOptions", new JsonObject().put("path", server.p12().toString()).put("password", TestCertificates.PASSWORD))
      .put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(client.pem().toString())))
      .put("clientAuth", "REQUIRED")));
    int port = vertx.createHttpServer(TideServer.httpServerOptions(options)).requestHandler(fx.server.router())
      .listen(0, "127.0.0.1").await().actualPort();
    String url = "https://127.0.0.1:" + port + "/sync";
    PemTrustOptions trustServer = new PemTrustOptions().addCertPath(server.pem().toString());
    Tide without = fx.client("a", s -> s.setUrl(url).setTransport(transport).setSslOptions(new ClientSSLOptions().setTrustOptions(trustServer)));
    without.collection("notes").put("x", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> without.syncOnce().await());
    assertEquals(1L, without.pendingCount().await());

    Tide with = fx.client("b", s -> s.setUrl(url).setTransport(transport).setSslOptions(new ClientSSLOptions()
      .setTrustOptions(trustServer).setKeyCertOptions(new PfxOptions().setPath(client.p12().toString()).setPassword(TestCertificates.PASSWORD))));
    with.collection("notes").put("y", new JsonObject()).await();
    with.syncOnce().await();
    assertEquals(0L, with.pendingCount().await());
  }

  /**
   * A server that takes the connection and never answers the TLS handshake fails the sync after
   * requestTimeoutMs, as a silent plain server does; it took Vert.x's handshake timeout (10 s) whatever
   * requestTimeoutMs said. An sslHandshakeTimeout of the user's own is kept.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aSilentTlsHandshakeFailsAfterRequestTimeoutMs(String transport, Vertx vertx) throws Exception {
    Certificate cert = certificate("ip:127.0.0.1");
    int port = vertx.createNetServer().connectHandler(so -> { }).listen(0, "127.0.0.1").await().actualPort();
    Tide a = fx.client("a", s -> s.setUrl("https://127.0.0.1:" + port + "/sync").setTransport(transport).setRequestTimeoutMs(300)
      .setSslOptions(new ClientSSLOptions().setTrustOptions(new PemTrustOptions().addCertPath(cert.pem().toString()))));
    a.collection("notes").put("x", new JsonObject()).await();
    long start = System.nanoTime();
    assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 5_000, "failed after " + ms + " ms");

    ClientSSLOptions own = new ClientSSLOptions();
    own.setSslHandshakeTimeout(7);
    assertEquals(7, SslOptionsJson.forTransport(own, 300).getSslHandshakeTimeout());
    assertEquals(300, SslOptionsJson.forTransport(null, 300).getSslHandshakeTimeout());
  }

  private Certificate certificate(String san) throws Exception {
    return TestCertificates.create(dir, san);
  }

  /** The fixture's server, also served over TLS with this certificate; its port. */
  private int tlsServer(Vertx vertx, Certificate cert) {
    if (fx.server == null) {
      fx.startServer();
    }
    HttpServer https = vertx.createHttpServer(TideServer.httpServerOptions(new TideServerOptions().setSslOptions(
        new ServerSSLOptions().setKeyCertOptions(new PfxOptions().setPath(cert.p12().toString()).setPassword(TestCertificates.PASSWORD)))))
      .requestHandler(fx.server.router()).listen(0, "127.0.0.1").await();
    return https.actualPort();
  }
}

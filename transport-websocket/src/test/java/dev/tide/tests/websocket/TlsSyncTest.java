package dev.tide.tests.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
      .put("ssl", new JsonObject().put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(cert.pem.toString()))));
    SyncOptions fromJson = new SyncOptions(json);
    Tide a = fx.client("a", s -> s.setUrl(fromJson.getUrl()).setTransport(transport).setSslOptions(fromJson.getSslOptions()));
    a.collection("notes").put("x", new JsonObject().put("v", 1)).await();
    a.syncOnce().await();
    assertEquals(0L, a.pendingCount().await());
    assertEquals(1, fx.serverState().size());
    assertEquals(List.of(cert.pem.toString()), ((PemTrustOptions) new SyncOptions(fromJson.toJson()).getSslOptions().getTrustOptions())
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
    ClientSSLOptions trustOther = new ClientSSLOptions().setTrustOptions(new PemTrustOptions().addCertPath(other.pem.toString()));
    Tide b = fx.client("b", s -> s.setUrl("https://127.0.0.1:" + otherPort + "/sync").setTransport(transport).setSslOptions(trustOther));
    b.collection("notes").put("y", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> b.syncOnce().await(), "host names are verified by default");
    assertEquals(1L, b.pendingCount().await());
  }

  /** A self-signed certificate for {@code san}, made with the JDK's keytool: its key store and its PEM. */
  private record Certificate(Path p12, Path pem) {
  }

  private Certificate certificate(String san) throws Exception {
    String name = san.replaceAll("\\W", "_");
    Path p12 = dir.resolve(name + ".p12");
    Path pem = dir.resolve(name + ".pem");
    keytool("-genkeypair", "-alias", "tide", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=tide test",
      "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
      "-storepass", "secret", "-keypass", "secret");
    keytool("-exportcert", "-rfc", "-alias", "tide", "-keystore", p12.toString(), "-storepass", "secret", "-file", pem.toString());
    return new Certificate(p12, pem);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
  }

  /** The fixture's server, also served over TLS with this certificate; its port. */
  private int tlsServer(Vertx vertx, Certificate cert) {
    if (fx.server == null) {
      fx.startServer();
    }
    HttpServer https = vertx.createHttpServer(TideServer.httpServerOptions(new TideServerOptions())
        .setSsl(true).setKeyCertOptions(new PfxOptions().setPath(cert.p12.toString()).setPassword("secret")))
      .requestHandler(fx.server.router()).listen(0, "127.0.0.1").await();
    return https.actualPort();
  }
}

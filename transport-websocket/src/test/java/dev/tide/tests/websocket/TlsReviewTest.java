package dev.tide.tests.websocket;

import dev.tide.core.Change;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.TideVerticle;
import dev.tide.server.TideServer;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.tests.core.TestCertificates;
import dev.tide.tests.core.TestCertificates.Certificate;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TLS checks from the review of the feature: connection reuse over https (one TLS connection for several
 * syncs, also with client certificates of every store kind; one WebSocket over wss), live push and
 * reconnection over wss after a restart, https after a restart, host name verification off with "" and
 * trustAll, JKS and PEM server keys and a PEM client key for mutual TLS, TideServerVerticle (several
 * instances) and TideVerticle from JSON config.
 */
class TlsReviewTest extends SyncFixtureTest {

  private static final char[] PW = TestCertificates.PASSWORD.toCharArray();

  private ServerSSLOptions pfx(Certificate c) {
    return new ServerSSLOptions().setKeyCertOptions(new PfxOptions().setPath(c.p12().toString()).setPassword(TestCertificates.PASSWORD));
  }

  private ClientSSLOptions trust(Certificate c) {
    return new ClientSSLOptions().setTrustOptions(new PemTrustOptions().addCertPath(c.pem().toString()));
  }

  private String url() {
    return "https://127.0.0.1:" + fx.port() + "/sync";
  }

  /** 5: one TLS connection serves several HTTP exchanges. */
  @Test
  void httpReusesOneConnection(Vertx vertx) throws Exception {
    Certificate cert = TestCertificates.create(dir, "ip:127.0.0.1");
    fx.startServer();
    AtomicInteger connections = new AtomicInteger();
    HttpServer https = vertx.createHttpServer(TideServer.httpServerOptions(new TideServerOptions().setSslOptions(pfx(cert))))
      .connectionHandler(c -> connections.incrementAndGet())
      .requestHandler(fx.server.router()).listen(0, "127.0.0.1").await();
    Tide a = fx.client("a", s -> s.setUrl("https://127.0.0.1:" + https.actualPort() + "/sync").setTransport("http").setSslOptions(trust(cert)));
    for (int i = 0; i < 5; i++) {
      a.collection("notes").put("x" + i, new JsonObject()).await();
      a.syncOnce().await();
    }
    assertEquals(0L, a.pendingCount().await());
    assertEquals(1, connections.get(), "one connection for five syncs");
  }

  /** 5 with mutual TLS and key/trust stores of every kind on the client. */
  @ParameterizedTest
  @ValueSource(strings = {"pfx", "jks", "pem"})
  void httpReusesOneConnectionWithClientCertificates(String kind, Vertx vertx) throws Exception {
    Certificate cert = TestCertificates.create(dir, "ip:127.0.0.1");
    Certificate client = TestCertificates.create(dir, "dns:client.test");
    fx.startServer();
    AtomicInteger connections = new AtomicInteger();
    HttpServer https = vertx.createHttpServer(TideServer.httpServerOptions(new TideServerOptions().setSslOptions(pfx(cert)
        .setTrustOptions(new PemTrustOptions().addCertPath(client.pem().toString())).setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED))))
      .connectionHandler(c -> connections.incrementAndGet())
      .requestHandler(fx.server.router()).listen(0, "127.0.0.1").await();
    ClientSSLOptions ssl = trust(cert);
    switch (kind) {
      case "pfx" -> ssl.setKeyCertOptions(new PfxOptions().setPath(client.p12().toString()).setPassword(TestCertificates.PASSWORD));
      case "jks" -> ssl.setKeyCertOptions(new JksOptions().setPath(jks(client, dir).toString()).setPassword(TestCertificates.PASSWORD));
      default -> ssl.setKeyCertOptions(new PemKeyCertOptions().setKeyPath(pemKey(client, dir).toString()).setCertPath(client.pem().toString()));
    }
    Tide a = fx.client("a", s -> s.setUrl("https://127.0.0.1:" + https.actualPort() + "/sync").setTransport("http").setSslOptions(ssl));
    for (int i = 0; i < 5; i++) {
      a.collection("notes").put("x" + i, new JsonObject()).await();
      a.syncOnce().await();
    }
    assertEquals(0L, a.pendingCount().await());
    assertEquals(1, connections.get(), "one connection for five syncs");
  }

  @Test
  void httpsSyncsAfterARestart(Vertx vertx) throws Exception {
    Certificate cert = TestCertificates.create(dir, "ip:127.0.0.1");
    TideServerOptions opts = new TideServerOptions().setSslOptions(pfx(cert));
    fx.startServer(opts, null, null);
    Tide a = fx.client("a", s -> s.setUrl(url()).setTransport("http").setSslOptions(trust(cert)));
    a.collection("notes").put("one", new JsonObject()).await();
    a.syncOnce().await();
    fx.stopServer();
    fx.startServer(opts, null, null);
    a.collection("notes").put("two", new JsonObject()).await();
    a.syncOnce().await();
    assertEquals(0L, a.pendingCount().await());
    Tide plain = fx.client("p", s -> s.setUrl(url().replace("https", "http")).setTransport("http").setSslOptions(trust(cert)));
    plain.collection("notes").put("p", new JsonObject()).await();
    assertThrows(Exception.class, () -> plain.syncOnce().await(), "plain http to a TLS port");
  }

  @Test
  void severalServerVerticleInstancesServeTls(Vertx vertx) throws Exception {
    Certificate server = TestCertificates.create(dir, "ip:127.0.0.1");
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    JsonObject config = new JsonObject().put("host", "127.0.0.1").put("port", port).put("dbPath", dir.resolve("m.db").toString())
      .put("ssl", new JsonObject().put("pfxKeyCertOptions", new JsonObject().put("path", server.p12().toString()).put("password", TestCertificates.PASSWORD)));
    vertx.deployVerticle((java.util.function.Supplier<TideServerVerticle>) () -> new TideServerVerticle(), new DeploymentOptions().setInstances(3).setConfig(config)).await();
    var http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    for (int i = 0; i < 6; i++) {
      assertEquals(200, http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI("https://127.0.0.1:" + port + "/health")
          .setSslOptions(trust(server).setHostnameVerificationAlgorithm("HTTPS")))
        .compose(r -> r.send()).await().statusCode());
    }
    AtomicInteger connections = new AtomicInteger();
    fx.startServer();
    HttpServer https = vertx.createHttpServer(TideServer.httpServerOptions(new TideServerOptions().setSslOptions(pfx(server))))
      .connectionHandler(c -> connections.incrementAndGet())
      .requestHandler(fx.server.router()).listen(0, "127.0.0.1").await();
    Tide a = fx.client("a", s -> s.setUrl("https://127.0.0.1:" + https.actualPort() + "/sync").setTransport("websocket").setSslOptions(trust(server)));
    for (int i = 0; i < 5; i++) {
      a.collection("notes").put("x" + i, new JsonObject()).await();
      a.syncOnce().await();
    }
    assertEquals(0L, a.pendingCount().await());
    assertEquals(1, connections.get(), "one WebSocket for five syncs");
  }

  /** 1: live push over wss, and reconnection (a new handshake) after the server restarts. */
  @Test
  void wssPushesAndReconnectsAfterARestart(Vertx vertx) throws Exception {
    Certificate cert = TestCertificates.create(dir, "ip:127.0.0.1");
    TideServerOptions opts = new TideServerOptions().setSslOptions(pfx(cert));
    fx.startServer(opts, null, null);
    Tide a = fx.client("a", s -> s.setUrl(url()).setTransport("websocket").setHeartbeatMs(200).setIntervalMs(3_600_000).setSslOptions(trust(cert)));
    Tide b = fx.client("b", s -> s.setUrl(url()).setTransport("websocket").setHeartbeatMs(200).setIntervalMs(3_600_000).setSslOptions(trust(cert)));
    a.startSync().await();
    b.startSync().await();
    a.initialSync().await();
    b.initialSync().await();
    List<Change> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(b.collection("notes").address(), m -> seen.add(m.body()));
    a.collection("notes").put("one", new JsonObject()).await();
    await().until(() -> seen.size() == 1);
    fx.stopServer();
    fx.startServer(opts, null, null);
    a.collection("notes").put("two", new JsonObject()).await();
    await().until(() -> seen.size() == 2);
    assertEquals(0L, a.pendingCount().await());
  }

  /** 2: "" turns host name verification off on both transports; trustAll works. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void hostnameVerificationOffAndTrustAll(String transport) throws Exception {
    Certificate other = TestCertificates.create(dir, "dns:sync.example");
    fx.startServer(new TideServerOptions().setSslOptions(pfx(other)), null, null);
    Tide v = fx.client("v", s -> s.setUrl(url()).setTransport(transport).setSslOptions(trust(other)));
    v.collection("notes").put("v", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> v.syncOnce().await());
    Tide a = fx.client("a", s -> s.setUrl(url()).setTransport(transport).setSslOptions(trust(other).setHostnameVerificationAlgorithm("")));
    a.collection("notes").put("x", new JsonObject()).await();
    a.syncOnce().await();
    assertEquals(0L, a.pendingCount().await());
    Tide b = fx.client("b", s -> s.setUrl(url()).setTransport(transport)
      .setSslOptions(new SyncOptions(new JsonObject().put("ssl", new JsonObject().put("trustAll", true).put("hostnameVerificationAlgorithm", ""))).getSslOptions()));
    b.collection("notes").put("y", new JsonObject()).await();
    b.syncOnce().await();
    assertEquals(0L, b.pendingCount().await());
    // trustAll alone: host name still verified (the cert names sync.example)
    Tide c = fx.client("c", s -> s.setUrl(url()).setTransport(transport).setSslOptions(new ClientSSLOptions().setTrustAll(true)));
    c.collection("notes").put("z", new JsonObject()).await();
    assertThrows(SyncUnreachableException.class, () -> c.syncOnce().await());
  }

  private static Path pemKey(Certificate c, Path dir) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(c.p12())) {
      ks.load(in, PW);
    }
    PrivateKey key = (PrivateKey) ks.getKey("tide", PW);
    Path p = dir.resolve(c.p12().getFileName() + ".key.pem");
    Files.writeString(p, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
      + "\n-----END PRIVATE KEY-----\n");
    return p;
  }

  private static Path jks(Certificate c, Path dir) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(c.p12())) {
      ks.load(in, PW);
    }
    KeyStore jks = KeyStore.getInstance("JKS");
    jks.load(null, null);
    jks.setKeyEntry("tide", ks.getKey("tide", PW), PW, ks.getCertificateChain("tide"));
    Path p = dir.resolve(c.p12().getFileName() + ".jks");
    try (OutputStream out = Files.newOutputStream(p)) {
      jks.store(out, PW);
    }
    return p;
  }

  /** 4: JKS and PEM server keys (from JSON), PEM client key for mutual TLS. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void jksAndPemKeys(String transport) throws Exception {
    Certificate server = TestCertificates.create(dir, "ip:127.0.0.1");
    Certificate client = TestCertificates.create(dir, "dns:client.test");
    JsonObject jksJson = new JsonObject().put("ssl", new JsonObject()
      .put("keyStoreOptions", new JsonObject().put("path", jks(server, dir).toString()).put("password", TestCertificates.PASSWORD)));
    fx.startServer(new TideServerOptions(jksJson), null, null);
    Tide a = fx.client("a", s -> s.setUrl(url()).setTransport(transport).setSslOptions(trust(server)));
    a.collection("notes").put("x", new JsonObject()).await();
    a.syncOnce().await();
    fx.stopServer();

    JsonObject pemJson = new JsonObject().put("ssl", new JsonObject()
      .put("pemKeyCertOptions", new JsonObject().put("keyPath", pemKey(server, dir).toString()).put("certPath", server.pem().toString()))
      .put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(client.pem().toString())))
      .put("clientAuth", "REQUIRED"));
    fx.startServer(new TideServerOptions(pemJson), null, null);
    JsonObject clientJson = new JsonObject().put("url", url()).put("transport", transport).put("ssl", new JsonObject()
      .put("pemTrustOptions", new JsonObject().put("certPaths", new JsonArray().add(server.pem().toString())))
      .put("pemKeyCertOptions", new JsonObject().put("keyPath", pemKey(client, dir).toString()).put("certPath", client.pem().toString())));
    SyncOptions so = new SyncOptions(new SyncOptions(clientJson).toJson());
    Tide b = fx.client("b", s -> s.setUrl(so.getUrl()).setTransport(transport).setSslOptions(so.getSslOptions()));
    b.collection("notes").put("y", new JsonObject()).await();
    b.syncOnce().await();
    assertEquals(0L, b.pendingCount().await());
  }

  /** 3: verticles from JSON config. */
  @Test
  void verticlesFromJsonConfig(Vertx vertx) throws Exception {
    Certificate server = TestCertificates.create(dir, "ip:127.0.0.1");
    JsonObject serverConfig = new TideServerOptions().setHost("127.0.0.1").setPort(0).setDbPath(dir.resolve("v-server.db").toString())
      .setSslOptions(pfx(server)).toJson();
    serverConfig = new JsonObject(serverConfig.encode());
    // port 0: find the port via a fixed free one instead
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    serverConfig.put("port", port);
    vertx.deployVerticle(new TideServerVerticle(), new DeploymentOptions().setConfig(serverConfig)).await();
    var http = vertx.createHttpClient(new HttpClientOptions());
    int status = http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI("https://127.0.0.1:" + port + "/health")
        .setSslOptions(trust(server).setHostnameVerificationAlgorithm("HTTPS")))
      .compose(r -> r.send()).await().statusCode();
    assertEquals(200, status);

    TideOptions opts = new TideOptions().setDbPath(dir.resolve("v.db").toString()).setAddressPrefix("v")
      .setSync(new SyncOptions().setUrl("https://127.0.0.1:" + port + "/sync").setTransport("websocket").setSslOptions(trust(server)));
    JsonObject config = new JsonObject(opts.toJson().encode());
    assertEquals(config, new TideOptions(config).toJson(), "round trip");
    TideVerticle tv = new TideVerticle();
    vertx.deployVerticle(tv, new DeploymentOptions().setConfig(config)).await();
    tv.tide().collection("notes").put("x", new JsonObject()).await();
    tv.tide().syncOnce().await();
    assertEquals(0L, tv.tide().pendingCount().await());
  }
}

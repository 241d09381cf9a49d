package dev.tide.tests.server;

import dev.tide.server.TideServerOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md read as a contract by a third-party client author: the real server driven over raw HTTP
 * and raw WebSocket frames. The fixture: raw sockets, raw frames, and a server per test, all closed after it.
 */
@ExtendWith(VertxExtension.class)
abstract class ProtocolContractFixture {

  @TempDir
  Path dir;
  /** Sockets and servers a test opened, closed after it (an open socket would hold the server's graceful stop). */
  private final java.util.List<Runnable> cleanups = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static ProtocolContractFixture current;
  private PgTestSchema postgres; // the last server's schema when on PostgreSQL
  private final java.util.List<PgTestSchema> schemas = new java.util.ArrayList<>();

  @org.junit.jupiter.api.BeforeEach
  void track() {
    current = this;
  }

  @org.junit.jupiter.api.AfterEach
  void cleanUp() {
    try {
      for (int i = cleanups.size() - 1; i >= 0; i--) {
        cleanups.get(i).run();
      }
    } finally {
      schemas.forEach(PgTestSchema::close);
    }
  }

  /** A raw TCP connection: what it received so far, and whether the server closed it. */
  static final class Raw {
    final NetSocket socket;
    final Buffer received = Buffer.buffer();
    final AtomicBoolean closed = new AtomicBoolean();

    Raw(NetSocket socket) {
      this.socket = socket;
      current.cleanups.add(() -> socket.close().await());
      socket.handler(b -> {
        synchronized (received) {
          received.appendBuffer(b);
        }
      });
      socket.closeHandler(v -> closed.set(true));
    }

    String text() {
      synchronized (received) {
        return received.toString(StandardCharsets.ISO_8859_1);
      }
    }

    byte[] bytes() {
      synchronized (received) {
        return received.getBytes();
      }
    }

    void send(String s) {
      socket.write(Buffer.buffer(s.getBytes(StandardCharsets.ISO_8859_1))).await();
    }

    void send(byte[] b) {
      socket.write(Buffer.buffer(b)).await();
    }

    /** Waits for one whole HTTP response (headers and a Content-Length body). */
    String response() {
      await().atMost(Duration.ofSeconds(15)).until(() -> whole(text()) != null || closed.get());
      String r = whole(text());
      return r != null ? r : text();
    }

    static String whole(String t) {
      int end = t.indexOf("\r\n\r\n");
      if (end < 0) {
        return null;
      }
      String head = t.substring(0, end);
      int len = 0;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          len = Integer.parseInt(line.substring(15).trim());
        }
      }
      return t.length() >= end + 4 + len ? t.substring(0, end + 4 + len) : null;
    }
  }

  static Raw raw(Vertx vertx, int port) {
    NetClient net = vertx.createNetClient();
    return new Raw(net.connect(port, "127.0.0.1").await());
  }

  static String header(String response, String name) {
    for (String line : response.substring(0, response.indexOf("\r\n\r\n")).split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  static int status(String response) {
    return Integer.parseInt(response.split(" ", 3)[1]);
  }

  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  /** A WebSocket whose text messages queue up, hello included, with its close code. */
  static final class Ws {
    final WebSocket socket;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final Promise<Short> closed = Promise.promise();

    Ws(WebSocket socket) {
      this.socket = socket;
      current.cleanups.add(() -> socket.close().await());
    }

    JsonObject next() throws InterruptedException {
      String m = messages.poll(15, TimeUnit.SECONDS);
      assertNotNull(m, "no frame from the server within 15 s");
      return new JsonObject(m);
    }

    void send(String text) {
      socket.writeTextMessage(text).await();
    }
  }

  static Ws ws(Vertx vertx, int port) throws InterruptedException {
    // a client reads messages up to 32 MiB (Vert.x's default: 256 KiB)
    WebSocketClient client = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions()
      .setMaxMessageSize(dev.tide.core.SyncProtocol.MAX_MESSAGE_BYTES));
    Promise<Ws> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(x -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(port).setURI("/sync/ws")).onSuccess(s -> {
        Ws w = new Ws(s);
        s.textMessageHandler(w.messages::add);
        s.closeHandler(v -> w.closed.tryComplete(s.closeStatusCode()));
        opened.complete(w);
      }).onFailure(opened::fail));
    Ws w = opened.future().await();
    JsonObject hello = w.next();
    assertEquals("hello", hello.getString("type"));
    return w;
  }

  static String syncFrame(Object id, JsonObject request) {
    return new JsonObject().put("type", "sync").put("id", id).put("request", request).encode();
  }

  ServerFixture start(Vertx vertx, TideServerOptions options) {
    ServerFixture server = ServerFixture.start(vertx, options.setPort(0).setDbPath(dir.resolve("c.db").toString()), null);
    cleanups.add(0, server::stop); // after the sockets
    return server;
  }

  /** Another server on the last PostgreSQL schema started: a second instance of the same database. */
  ServerFixture startOnSamePostgres(Vertx vertx, TideServerOptions options) {
    ServerFixture server = ServerFixture.start(vertx, options.setPort(0).setPostgresUrl(postgresUrl()), null);
    cleanups.add(0, server::stop);
    return server;
  }

  /** Runs a statement in the last PostgreSQL schema. */
  void postgresSql(String statement) {
    postgres.sql(statement);
  }

  /** The last PostgreSQL schema's URL. */
  String postgresUrl() {
    return postgres.url();
  }

  /** Runs after the test, before the servers stop. */
  void cleanUpLater(Runnable cleanup) {
    cleanups.add(cleanup);
  }

  /** Drops the documents table under the last server started: every read fails from now on. */
  void dropDocumentsTable() throws java.sql.SQLException {
    if (postgres != null) {
      postgres.sql("DROP TABLE tide_server_docs");
      return;
    }
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
         java.sql.Statement st = c.createStatement()) {
      st.execute("DROP TABLE tide_server_docs");
    }
  }

  /** As {@link #start}, on PostgreSQL: a schema of its own, dropped after the test. */
  ServerFixture startOnPostgres(Vertx vertx, TideServerOptions options) {
    PgTestSchema schema = PgTestSchema.create(vertx);
    postgres = schema;
    schemas.add(schema); // dropped after every server stopped
    ServerFixture server = ServerFixture.start(vertx, options.setPort(0).setPostgresUrl(schema.url()), null);
    cleanups.add(0, server::stop);
    return server;
  }

  /** Server frames parsed from raw bytes: opcode and payload. */
  static List<int[]> frames(byte[] b, int from, List<byte[]> payloads) {
    List<int[]> out = new java.util.ArrayList<>();
    int i = from;
    while (i + 2 <= b.length) {
      int op = b[i] & 0x0f;
      int len = b[i + 1] & 0x7f;
      int h = 2;
      if (len == 126) {
        if (i + 4 > b.length) break;
        len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        h = 4;
      } else if (len == 127) {
        if (i + 10 > b.length) break;
        len = (int) java.nio.ByteBuffer.wrap(b, i + 2, 8).getLong();
        h = 10;
      }
      if (i + h + len > b.length) break;
      out.add(new int[] {op, len});
      payloads.add(java.util.Arrays.copyOfRange(b, i + h, i + h + len));
      i += h + len;
    }
    return out;
  }

  static byte[] clientFrame(int opcodeAndFin, byte[] payload) {
    java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
    o.write(opcodeAndFin);
    if (payload.length < 126) {
      o.write(0x80 | payload.length);
    } else {
      o.write(0x80 | 126);
      o.write(payload.length >> 8);
      o.write(payload.length & 0xff);
    }
    byte[] mask = {1, 2, 3, 4};
    o.write(mask, 0, 4);
    for (int k = 0; k < payload.length; k++) {
      o.write(payload[k] ^ mask[k % 4]);
    }
    return o.toByteArray();
  }

  static int handshake(Raw r) {
    r.send("GET /sync/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> r.text().contains("\r\n\r\n"));
    assertTrue(r.text().startsWith("HTTP/1.1 101"), r.text());
    return r.text().indexOf("\r\n\r\n") + 4;
  }
}

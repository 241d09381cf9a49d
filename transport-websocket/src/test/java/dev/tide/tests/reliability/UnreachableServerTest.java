package dev.tide.tests.reliability;

import dev.tide.core.SyncException;
import dev.tide.core.SyncStatus;
import dev.tide.core.SyncUnreachableException;
import dev.tide.core.Tide;
import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that cannot be reached fails a sync with {@link SyncUnreachableException} (the transport's
 * exception as its cause), over either transport, so an app can tell "offline" from the server's answers
 * ({@link SyncException}) by type. Before, the transport's own exception came through: a
 * {@code ConnectException}, or a {@code VertxException} for a timeout or a dropped connection.
 */
class UnreachableServerTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void nothingListening(String transport, Vertx vertx) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(port)).setTransport(transport));
    a.collection("notes").put("x", new JsonObject()).await();

    SyncUnreachableException e = assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    assertInstanceOf(ConnectException.class, rootCause(e), "the transport's exception is the cause");
    assertTrue(e.getMessage().startsWith("cannot reach the sync server: "), e.getMessage());
    SyncStatus status = a.syncStatus().await();
    assertEquals(SyncStatus.State.OFFLINE, status.state());
    assertNotNull(status.lastError());
    assertEquals(1L, a.pendingCount().await(), "the write stays pending");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void answerNeverArrives(String transport, Vertx vertx) {
    fx.startServer();
    proxy = FaultProxy.start(vertx, fx.port());
    Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(proxy.port())).setTransport(transport).setRequestTimeoutMs(500));
    a.syncOnce().await(); // connected and caught up
    a.collection("notes").put("x", new JsonObject()).await();
    proxy.blackholeExisting(); // the open connection stays up, and nothing gets through it any more

    SyncUnreachableException e = assertThrows(SyncUnreachableException.class, () -> a.syncOnce().await());
    assertNotNull(e.getCause());
    assertEquals(SyncStatus.State.OFFLINE, a.syncStatus().await().state());
    assertEquals(1L, a.pendingCount().await(), "the write stays pending");
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}

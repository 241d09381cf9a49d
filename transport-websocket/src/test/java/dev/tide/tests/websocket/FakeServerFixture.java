package dev.tide.tests.websocket;

import dev.tide.core.SyncOptions;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What tests against a fake WebSocket server share: its hello, a client of it, and cleanup in reverse order. */
abstract class FakeServerFixture {

  static final String HELLO = "{\"type\":\"hello\",\"protocol\":1,\"maxMessageBytes\":1048576}";

  @TempDir
  Path dir;
  final List<Runnable> cleanup = new ArrayList<>();
  /** WebSocket connections the fake server accepted. */
  final AtomicInteger connections = new AtomicInteger();

  @AfterEach
  void tearDown() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).run();
    }
  }

  SyncOptions options(int port) {
    return new SyncOptions().setUrl("http://127.0.0.1:" + port + "/sync").setRequestTimeoutMs(60_000)
      .setBackoffInitialMs(50).setBackoffMaxMs(5_000).setIntervalMs(60_000);
  }

  /**
   * Starts the store's background sync against a fake server that keeps breaking the protocol, and
   * checks that its reconnects back off: 25-50, 50-100, ... 800-1600 ms apart, at most 8 in 2.5 s (a
   * reconnect every 25-50 ms would make about 60).
   */
  void assertReconnectsBackOff(Vertx vertx, Tide tide) {
    tide.startSync().await();
    Promise<Void> window = Promise.promise();
    vertx.setTimer(2_500, t -> window.complete());
    window.future().await();
    assertTrue(connections.get() <= 10, connections.get() + " connections in 2.5 s");
  }

  /** A store (address prefix "c") syncing with the fake server over WebSocket, closed after the test. */
  Tide client(Vertx vertx, int port) {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("c.db").toString()).setAddressPrefix("c")
      .setSync(options(port).setTransport("websocket"))).await();
    cleanup.add(() -> tide.close().await());
    return tide;
  }
}

package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.ChangeSignal;
import dev.tide.server.spi.ForwardingServerStore;
import dev.tide.server.spi.ServerStore;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A live connection whose position fell behind a delete that was then purged is not pushed past it:
 * the server closes it, and the client's exchange after reconnecting resets (history_purged).
 */
@ExtendWith(VertxExtension.class)
class PurgedLivePushTest extends SyncFixtureTest {

  /** The SQLite store; its commit signal can be held back (the server does not learn of commits meanwhile). */
  static final class HeldSignal extends ForwardingServerStore {
    volatile boolean held;

    HeldSignal(ServerStore d) {
      super(d);
    }

    @Override
    public ChangeSignal signal() {
      return handler -> delegate.signal().subscribe(c -> {
        if (!held) {
          handler.handle(c);
        }
      });
    }
  }

  @Test
  void aConnectionBehindAPurgedDeleteIsSentToPullEverything() {
    HeldSignal[] store = new HeldSignal[1];
    fx.startServer(new TideServerOptions(), null, s -> store[0] = new HeldSignal(s));
    Tide a = fx.client("a");
    Tide b = fx.client("b", s -> s.setTransport("websocket").setHeartbeatMs(200).setIntervalMs(3_600_000));
    b.startSync();
    a.collection("notes").put("x", new JsonObject()).await();
    a.syncOnce().await();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.collection("notes").get("x").await() != null);

    store[0].held = true; // b's connection does not hear of the delete
    a.collection("notes").delete("x").await();
    a.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();
    store[0].held = false;
    a.collection("notes").put("y", new JsonObject()).await();
    a.syncOnce().await(); // this commit is signalled: b's connection is pushed from its old position

    await().atMost(Duration.ofSeconds(10)).until(() -> b.collection("notes").get("y").await() != null
      && b.collection("notes").get("x").await() == null);
    assertNotNull(b.collection("notes").document("y").await());
  }
}

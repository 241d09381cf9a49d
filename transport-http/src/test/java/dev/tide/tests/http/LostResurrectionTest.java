package dev.tide.tests.http;

import dev.tide.core.SyncRequest;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.transport.http.HttpSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A write that resurrected a document whose tombstone the server had purged, which its store then lost
 * (a power loss after the server took it): it comes back as the store's own write and beats the store's
 * older pending write of that document. Was a bug: the server stored such a write under a server stamp,
 * which the store could not tell from another client's resurrection, so it kept its older pending write,
 * re-stamped above it, and the synced write was lost everywhere. The server now answers {@code restamp}
 * and stores the write only under its writer's new stamp.
 */
@ExtendWith(VertxExtension.class)
class LostResurrectionTest {

  @TempDir
  Path dir;

  private SyncFixture fx;

  @AfterEach
  void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  private void copy(String suffixFrom, String suffixTo) throws Exception {
    for (String f : new String[] {"a.db", "a.db-wal"}) {
      Path from = dir.resolve(f + suffixFrom);
      Path to = dir.resolve(f + suffixTo);
      if (Files.exists(from)) {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(to);
      }
    }
  }

  /**
   * @param reachesServer whether the re-stamped push reaches the server (its answer lost) or not (the
   *                      power loss comes first)
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aLostResurrectingWriteWinsIfTheServerTookItAndIsNeverSeenIfNot(boolean reachesServer, Vertx vertx) throws Exception {
    fx = new SyncFixture(vertx, dir).startServer();
    // another client's deleted document, its tombstone purged: the server's purged counter is above a's clock
    Tide b = fx.client("b");
    b.batch(w -> {
      for (int i = 0; i < 20; i++) {
        w.put("notes", "pad", new JsonObject().put("i", i));
      }
    }).await();
    b.collection("notes").delete("pad").await();
    b.syncOnce().await();
    fx.server.store().purgeTombstones(System.currentTimeMillis() + 1).await();

    AtomicBoolean cutRestamped = new AtomicBoolean(true);
    Tide a = fx.client("a", s -> s.setTransportFactory(SyncTransportFactory.of("cut", (vx, o) ->
      new ForwardingSyncTransport(HttpSyncTransport.create(vx, o)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          // the push of the re-stamped write: a power loss follows, before or after the server took it
          if (cutRestamped.get() && request.ops().stream().anyMatch(op -> op.stamp().counter() > 2)) {
            Future<SyncResponse> sent = reachesServer ? delegate.exchange(request) : Future.succeededFuture();
            return sent.transform(x -> Future.failedFuture(new VertxException("cut off", true)));
          }
          return delegate.exchange(request);
        }
      })));
    a.syncOnce().await(); // the pull after opening: nothing of a's
    a.collection("notes").put("d", new JsonObject().put("v", 1)).await(); // counter 1, pending
    copy("", ".snap"); // the last commits from here on are lost below
    a.collection("notes").put("d", new JsonObject().put("v", 2)).await(); // counter 2: the newer write
    assertThrows(Exception.class, () -> a.syncOnce().await()); // v=2 answered restamp, then pushed re-stamped
    JsonObject d = fx.serverState().get("notes/d");
    if (reachesServer) {
      assertEquals(new JsonObject().put("v", 2), d.getJsonObject("doc"), "the server took a's newer write: " + d);
      assertNotEquals(SyncProtocol.SERVER_NODE, d.getJsonObject("stamp").getString("node"), "under a's own stamp");
    } else {
      assertNull(d, "no client can have seen v=2: the server has not taken it");
    }

    // power loss: a's files go back to before the write of v=2
    a.close().await();
    Files.deleteIfExists(dir.resolve("a.db-shm"));
    copy(".snap", "");
    cutRestamped.set(false);
    Tide restored = fx.client("a");
    restored.syncOnce().await();
    restored.syncOnce().await();
    assertEquals(0L, restored.pendingCount().await());
    Tide c = fx.client("c");
    c.syncOnce().await();
    // taken by the server, v=2 is a synced write and comes back; not taken, it was a local write lost with
    // the last commits (synchronous=NORMAL), and v=1 is what everyone gets
    JsonObject expected = new JsonObject().put("v", reachesServer ? 2 : 1);
    assertEquals(expected, fx.serverState().get("notes/d").getJsonObject("doc"), "server: " + fx.serverState());
    assertEquals(expected, restored.collection("notes").get("d").await(), "a's d");
    assertEquals(expected, c.collection("notes").get("d").await(), "c's d");
  }
}

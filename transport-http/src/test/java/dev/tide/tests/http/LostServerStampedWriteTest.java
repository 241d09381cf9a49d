package dev.tide.tests.http;

import dev.tide.core.SyncRequest;
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
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The known gap of PROTOCOL.md section 5: a write a store lost after the server stored it under a server
 * stamp (a write over a purged tombstone's counter range) does not come back as the store's own write,
 * so the pending write from before the loss, older in fact, is re-stamped above it and wins everywhere.
 * Fails today; enable it with the fix (the server must say whose write a server stamp replaced).
 */
@ExtendWith(VertxExtension.class)
@Disabled("known gap, PROTOCOL.md section 5: a lost write under a server stamp loses to an older pending write")
class LostServerStampedWriteTest {

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

  @Test
  void aLostWriteTheServerStampedStillBeatsAnOlderPendingWrite(Vertx vertx) throws Exception {
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
          // the push of the write re-stamped above the server stamp never arrives (a power loss follows)
          if (cutRestamped.get() && request.ops().stream().anyMatch(op -> op.stamp().counter() > 2)) {
            return Future.failedFuture(new VertxException("cut off", true));
          }
          return delegate.exchange(request);
        }
      })));
    a.syncOnce().await(); // the pull after opening: nothing of a's
    a.collection("notes").put("d", new JsonObject().put("v", 1)).await(); // counter 1, pending
    copy("", ".snap"); // the last commits from here on are lost below
    a.collection("notes").put("d", new JsonObject().put("v", 2)).await(); // counter 2: the newer write
    try {
      a.syncOnce().await();
    } catch (Exception expected) {
      // the first exchange pushed v=2 (stored under a server stamp); the second was cut
    }
    assertEquals(new JsonObject().put("v", 2), fx.serverState().get("notes/d").getJsonObject("doc"),
      "the server has a's newer write: " + fx.serverState());

    // power loss: a's files go back to before the write of v=2
    a.close().await();
    Files.deleteIfExists(dir.resolve("a.db-shm"));
    copy(".snap", "");
    cutRestamped.set(false);
    a = fx.client("a");
    a.syncOnce().await();
    a.syncOnce().await();
    assertEquals(0L, a.pendingCount().await());
    Tide c = fx.client("c");
    c.syncOnce().await();
    assertEquals(new JsonObject().put("v", 2), fx.serverState().get("notes/d").getJsonObject("doc"),
      "the server keeps a's synced write v=2: " + fx.serverState());
    assertEquals(new JsonObject().put("v", 2), a.collection("notes").get("d").await(), "a's d");
    assertEquals(new JsonObject().put("v", 2), c.collection("notes").get("d").await(), "c's d");
  }
}

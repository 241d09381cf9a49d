package dev.tide.tests.server;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.OpResult;
import dev.tide.core.Stamp;
import dev.tide.core.StoreException;
import dev.tide.server.impl.PgServerStore;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import dev.tide.tests.core.FaultProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL store when its connections to the database fail, through a real proxy on 127.0.0.1: all
 * reset and new ones refused for a while (the database restarting), or silent without a reset (a link or
 * database that died, a NAT that forgot the connection). Calls fail with a {@link StoreException} (a 503 on
 * the wire: the client retries) instead of hanging, the next calls work, nothing is lost, and the
 * notifications of other instances' commits come back.
 */
@ExtendWith(VertxExtension.class)
class PgConnectionFaultsTest {

  static final Duration BOUND = Duration.ofSeconds(30);

  private PgTestSchema schema;
  private FaultProxy proxy;
  private final List<ServerStore> opened = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    schema = PgTestSchema.create(vertx);
    proxy = FaultProxy.start(vertx, schema.port());
  }

  @AfterEach
  void tearDown() {
    try {
      opened.forEach(s -> s.close().await());
      proxy.close().await();
    } finally {
      schema.close();
    }
  }

  /**
   * Through the proxy, with a timeout of 1 s; the meta row is read only hourly, so another instance's commit
   * reaches it by a notification (or by the read after LISTEN connects again) and by nothing else.
   */
  private ServerStore throughProxy(Vertx vertx) {
    ServerStore s = PgServerStore.open(vertx, schema.urlVia(proxy.port()), new PgServerStore.Settings(2, 1, 3_600_000, 200, true)).await();
    opened.add(s);
    return s;
  }

  /** Another instance, straight to the database. */
  private ServerStore other(Vertx vertx) {
    ServerStore s = PgServerStore.open(vertx, schema.url(), 2, false).await();
    opened.add(s);
    return s;
  }

  private static AtomicLong heard(ServerStore s) {
    AtomicLong heard = new AtomicLong();
    s.signal().subscribe(c -> heard.accumulateAndGet(c.toSeq(), Math::max));
    return heard;
  }

  private static List<Change> put(String id, long counter) {
    return List.of(Change.ofJson("c", id, new Stamp(counter, "n"), "{\"v\":" + counter + "}", ChangeSource.REMOTE));
  }

  /** Pushes through another instance and waits until {@code heard} reports that commit. */
  private static void commitElsewhereAndHear(ServerStore other, AtomicLong heard, String id, long counter) {
    other.push("", put(id, counter)).await();
    long seq = other.lastSeq();
    await().atMost(BOUND).until(() -> heard.get() >= seq);
  }

  private static List<String> ids(ServerStore s) {
    List<String> ids = new ArrayList<>();
    for (StoredChange c : s.pull("", 0, null, 1000, 1 << 20).await().changes()) {
      ids.add(c.id());
    }
    return ids;
  }

  @Test
  void connectionsThatStopAnsweringAreReplaced(Vertx vertx) {
    ServerStore store = throughProxy(vertx);
    ServerStore other = other(vertx);
    AtomicLong heard = heard(store);
    commitElsewhereAndHear(other, heard, "before", 1);

    store.push("", put("a", 2)).await(); // the pool's connection, just used: the next call takes it again
    proxy.blackholeExisting(); // every connection open now swallows everything, without closing
    Future<List<OpResult>> onDeadConnection = store.push("", put("b", 3));
    await().atMost(BOUND).until(onDeadConnection::isComplete);
    assertTrue(onDeadConnection.failed(), "a push on a connection that never answers cannot have succeeded");
    assertInstanceOf(StoreException.class, onDeadConnection.cause());
    assertEquals(List.of(OpResult.APPLIED), store.push("", put("b", 3)).await(), "the client's retry");

    // the LISTEN connection was silent too: it is found out and replaced, and notifications flow again
    commitElsewhereAndHear(other, heard, "while-replaced", 4);
    commitElsewhereAndHear(other, heard, "after", 5); // by a notification: nothing else tells it
    assertEquals(List.of("before", "a", "b", "while-replaced", "after"), ids(store));
  }

  @Test
  void theDatabaseGoingAwayAndComingBack(Vertx vertx) {
    ServerStore store = throughProxy(vertx);
    ServerStore other = other(vertx);
    AtomicLong heard = heard(store);
    commitElsewhereAndHear(other, heard, "before", 1);

    proxy.down(true); // a restart: every connection reset, new ones refused
    StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> store.push("", put("a", 2)).await());
    assertTrue(e.getMessage().startsWith("PostgreSQL store call failed"), e.getMessage());
    other.push("", put("while-down", 3)).await();

    proxy.down(false);
    await().atMost(BOUND).ignoreExceptions().until(() -> store.push("", put("a", 2)).await().equals(List.of(OpResult.APPLIED)));
    long seq = other.lastSeq();
    await().atMost(BOUND).until(() -> heard.get() >= seq); // told by the read after LISTEN connected again
    commitElsewhereAndHear(other, heard, "after", 4); // by a notification
    assertEquals(List.of("before", "while-down", "a", "after"), ids(store));
  }
}

package dev.tide.tests.server;

import dev.tide.core.OpResult;
import dev.tide.core.StoreException;
import dev.tide.server.impl.PgServerStore;
import dev.tide.server.spi.CommittedChanges;
import dev.tide.server.spi.ServerStore;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.tide.tests.server.PgStoreTest.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pushes that arrive at one instance while its transaction runs are committed together in the next one,
 * each with its own results, under the same rules as alone; one that fails on its own data fails alone.
 */
@ExtendWith(VertxExtension.class)
class PgGroupCommitTest {

  private PgTestSchema schema;
  private ServerStore store;
  private final List<CommittedChanges> commits = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open(Vertx vertx) {
    schema = PgTestSchema.create(vertx);
    store = PgServerStore.open(vertx, schema.url(), 4, false).await();
    store.signal().subscribe(commits::add);
  }

  @AfterEach
  void close() {
    try {
      store.close().await();
    } finally {
      schema.close();
    }
  }

  private List<StoredChange> all() {
    return store.pull("", 0, null, 1000, 1 << 20).await().changes();
  }

  @Test
  void concurrentPushesShareTransactions() {
    List<Future<List<OpResult>>> pushes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      pushes.add(store.push("", List.of(put("d" + i, i + 1, "n" + i, "{}"), put("e" + i, i + 1, "n" + i, "{}"))));
    }
    Future.all(pushes).await();
    pushes.forEach(p -> assertEquals(List.of(OpResult.APPLIED, OpResult.APPLIED), p.result()));
    assertEquals(40, all().size());
    assertEquals(40, store.lastSeq());
    // the first push runs alone; those that came meanwhile go together
    assertTrue(commits.size() < 20, commits.size() + " commits for 20 pushes");
    assertEquals(40, commits.stream().mapToInt(c -> c.byNamespace().get("").size()).sum(), "every change reported once");
  }

  @Test
  void requestsOfOneGroupSeeEachOther() {
    Future<List<OpResult>> first = store.push("", List.of(put("warm", 1, "a", "{}"))); // the others queue behind it
    Future<List<OpResult>> five = store.push("", List.of(put("x", 5, "a", "{\"v\":5}")));
    Future<List<OpResult>> three = store.push("", List.of(put("x", 3, "b", "{\"v\":3}")));
    Future<List<OpResult>> again = store.push("", List.of(put("x", 5, "a", "{\"v\":5}")));
    Future<List<OpResult>> reused = store.push("", List.of(put("x", 5, "a", "{\"v\":6}")));
    Future<List<OpResult>> seven = store.push("", List.of(put("x", 7, "c", "{\"v\":7}")));
    Future.all(List.of(first, five, three, again, reused, seven)).await();
    assertEquals(List.of(OpResult.APPLIED), five.result());
    assertEquals(List.of(OpResult.SUPERSEDED), three.result(), "below the stamp an earlier request of the group wrote");
    assertEquals(List.of(OpResult.APPLIED), again.result(), "a replay");
    assertEquals(OpResult.Status.RESTAMP, reused.result().get(0).status(), "the same stamp on other content: " + reused.result());
    assertEquals(List.of(OpResult.APPLIED), seven.result());
    StoredChange x = all().stream().filter(c -> c.id().equals("x")).findFirst().orElseThrow();
    assertEquals("{\"v\":7}", x.body());
  }

  @Test
  void aRequestTheDatabaseRefusesFailsAlone() {
    Future<List<OpResult>> first = store.push("", List.of(put("warm", 1, "a", "{}")));
    Future<List<OpResult>> good = store.push("", List.of(put("good", 2, "a", "{}")));
    // a namespace PostgreSQL cannot store (text holds no NUL): the database refuses the request's data
    Future<List<OpResult>> bad = store.push("bad\u0000ns", List.of(put("bad", 3, "a", "{}")));
    Future<List<OpResult>> after = store.push("", List.of(put("after", 4, "a", "{}")));
    Future.join(List.of(first, good, bad, after)).transform(ar -> Future.succeededFuture()).await(); // all ended
    assertEquals(List.of(OpResult.APPLIED), good.result());
    assertEquals(List.of(OpResult.APPLIED), after.result());
    assertInstanceOf(StoreException.class, bad.cause());
    assertEquals(List.of("warm", "good", "after"), all().stream().map(StoredChange::id).toList());
  }
}

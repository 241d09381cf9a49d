package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.Synchronous;
import dev.tide.server.TideServerOptions;
import dev.tide.server.spi.PullPage;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pull from just before the latest commit is answered from that commit's changes: it must be the
 * page the store itself reads (same changes, same position), for every client, own writes skipped or
 * not, with documents written twice in one commit, deletes, superseded ops and several namespaces; and
 * it must step aside when it cannot tell (another position, a newer commit, a purge, a full page).
 */
class CommitPagesTest {

  private static final List<String> NODES = List.of("A", "B", "C");

  @TempDir
  Path dir;
  private Vertx vertx;
  private ServerStore store;
  private SyncHandler sync;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    store = SqliteServerStore.open(vertx, dir.resolve("s.db").toString(), Synchronous.NORMAL).await();
    sync = new SyncHandler(new TideServerOptions(), store);
  }

  @AfterEach
  void close() {
    sync.close();
    store.close().await();
    vertx.close().await();
  }

  @Test
  void pagesFromACommitEqualThePagesTheStoreReads() {
    Random random = new Random(7);
    long[] counters = new long[NODES.size()];
    int fromMemory = 0;
    for (int step = 0; step < 300; step++) {
      int n = random.nextInt(NODES.size());
      String node = NODES.get(n);
      List<Change> ops = new ArrayList<>();
      for (int k = random.nextInt(25); k >= 0; k--) {
        // a small set of documents: ops of one request hit the same document, and lose to others' writes
        counters[n] += 1 + random.nextInt(3);
        String id = "d" + random.nextInt(30);
        ops.add(random.nextInt(6) == 0 ? new Change("notes", id, new Stamp(counters[n], node), null, ChangeSource.REMOTE)
          : doc(id, counters[n], node, step));
      }
      String ns = random.nextInt(4) == 0 ? "other" : "";
      long before = store.lastSeq();
      if (random.nextBoolean()) {
        store.push(ns, ops).await();
      } else { // two requests at once: they may share one commit
        String ns2 = ns.isEmpty() ? "other" : "";
        Future.all(store.push(ns, ops), store.push(ns2, List.of(doc("x" + step, ++counters[n], node, step)))).await();
      }
      for (String space : List.of("", "other")) {
        for (String exclude : Arrays.asList("A", "B", "C", null)) {
          PullPage mem = sync.fromLatestCommit(space, at(before), exclude, 1_000);
          if (mem != null) {
            fromMemory++;
            assertEquals(store.pull(space, before, exclude, 1_000, SyncProtocol.MAX_RESPONSE_BYTES).await(), mem,
              "step " + step + " ns '" + space + "' without " + exclude);
          }
        }
      }
    }
    assertTrue(fromMemory > 1_000, fromMemory + " pages answered from memory");
  }

  @Test
  void stepsAsideWhenTheCommitCannotTell() {
    store.push("", List.of(doc("a", 1, "A", 0), doc("b", 2, "A", 0))).await();
    long before = store.lastSeq();
    store.push("", List.of(doc("a", 3, "B", 0), doc("b", 4, "B", 0), doc("c", 5, "B", 0))).await();
    assertNotNull(sync.fromLatestCommit("", at(before), "A", 1_000));
    assertEquals(3, sync.fromLatestCommit("", at(before), "A", 1_000).changes().size());
    assertNull(sync.fromLatestCommit("", at(before), "A", 2), "more than a page: the store pages it");
    assertNull(sync.fromLatestCommit("", at(0), "A", 1_000), "not the position before the latest commit");
    long newer = store.lastSeq();
    store.push("", List.of(new Change("notes", "c", new Stamp(6, "A"), null, ChangeSource.REMOTE))).await();
    assertNull(sync.fromLatestCommit("", at(before), "A", 1_000), "a newer commit");
    assertEquals(1, sync.fromLatestCommit("", at(newer), "B", 1_000).changes().size());
    store.purgeTombstones(Long.MAX_VALUE).await();
    assertNull(sync.fromLatestCommit("", at(newer), "B", 1_000), "after a purge the store decides");
  }

  /** A position on a server that never purged. */
  private static Cursors.Position at(long seq) {
    return new Cursors.Position(seq, 0);
  }

  private static Change doc(String id, long counter, String node, int step) {
    JsonObject doc = new JsonObject().put("by", node).put("step", step);
    return Change.of("notes", id, new Stamp(counter, node), doc, doc.encode(), ChangeSource.REMOTE);
  }
}

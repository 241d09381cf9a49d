package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.ChangeStream;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.impl.TideImpl;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ChangeFeedTest {

  @TempDir
  Path dir;

  TideOptions options() {
    return new TideOptions().setDbPath(dir.resolve("feed.db").toString());
  }

  @Test
  void localAndRemoteChangesOnBothAddresses(Vertx vertx, VertxTestContext test) {
    TideImpl tide = (TideImpl) Tide.open(vertx, options()).await();
    assertEquals("tide.changes", tide.address());
    assertEquals("tide.changes.notes", tide.collection("notes").address());
    Checkpoint all = test.checkpoint(3);
    Checkpoint perCollection = test.checkpoint(3);
    List<Change> fromAll = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>consumer(tide.address(), m -> {
      fromAll.add(m.body());
      all.flag();
    });
    vertx.eventBus().<Change>consumer(tide.collection("notes").address(), m -> test.verify(() -> {
      assertEquals("notes", m.body().collection());
      perCollection.flag();
    }));
    Stamp put = tide.collection("notes").put("a", new JsonObject().put("v", 1)).await();
    Stamp del = tide.collection("notes").delete("a").await();
    tide.applyRemote(List.of(new Change("notes", "r", new Stamp(50, "srv"), new JsonObject().put("v", 2), ChangeSource.REMOTE),
      new Change("notes", "a", new Stamp(1, "aaaa"), new JsonObject(), ChangeSource.REMOTE)), null).await(); // 2nd loses
    await().until(() -> fromAll.size() == 3);
    test.verify(() -> {
      assertEquals(new Change("notes", "a", put, new JsonObject().put("v", 1), ChangeSource.LOCAL), fromAll.get(0));
      assertEquals(new Change("notes", "a", del, null, ChangeSource.LOCAL), fromAll.get(1));
      assertEquals(ChangeSource.REMOTE, fromAll.get(2).source());
      assertEquals("r", fromAll.get(2).id());
    });
  }

  @Test
  void oncePerCommittedWriteAndSharedInstance(Vertx vertx) {
    Tide tide = Tide.open(vertx, options()).await();
    List<Change> a = new CopyOnWriteArrayList<>();
    List<Change> b = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Change>localConsumer(tide.address(), m -> a.add(m.body()));
    vertx.eventBus().<Change>localConsumer(tide.address(), m -> b.add(m.body()));
    for (int i = 0; i < 10; i++) {
      tide.collection("notes").put("d" + i, new JsonObject().put("i", i));
    }
    tide.batch(bt -> bt.put("other", "x", new JsonObject()).delete("other", "y")).await();
    tide.collection("notes").put("last", new JsonObject()).await();
    await().until(() -> a.size() == 13 && b.size() == 13);
    for (int i = 0; i < 13; i++) {
      assertSame(a.get(i), b.get(i), "local consumers share one immutable Change, not copies");
    }
    assertEquals(13, a.stream().map(c -> c.collection() + "/" + c.id()).distinct().count());
    tide.close().await();
  }

  @Test
  void jsonFormForBridges(Vertx vertx, VertxTestContext test) {
    Tide tide = Tide.open(vertx, options().setChangesAsJson(true)).await();
    vertx.eventBus().consumer(tide.collection("notes").address(), m -> test.verify(() -> {
      JsonObject json = assertInstanceOf(JsonObject.class, m.body());
      assertEquals("local", json.getString("source"));
      assertEquals("n1", json.getString("id"));
      assertEquals(new JsonObject().put("t", 1), json.getJsonObject("doc"));
      assertEquals(tide.nodeId(), json.getJsonObject("stamp").getString("node"));
      test.completeNow();
    }));
    tide.collection("notes").put("n1", new JsonObject().put("t", 1));
  }

  @Test
  void watchHonoursPauseFetchResume(Vertx vertx) {
    Tide tide = Tide.open(vertx, options().setChangesAsJson(true)).await(); // the stream decodes JSON too
    Context ctx = vertx.getOrCreateContext();
    List<Change> received = new CopyOnWriteArrayList<>();
    List<Change> control = new CopyOnWriteArrayList<>();
    Promise<ChangeStream> ready = Promise.promise();
    ctx.runOnContext(v -> {
      ChangeStream stream = tide.collection("notes").watch().handler(received::add).pause();
      vertx.eventBus().localConsumer(tide.collection("notes").address(), m -> control.add(null));
      ready.complete(stream);
    });
    ChangeStream stream = ready.future().await();
    for (int i = 0; i < 5; i++) {
      tide.collection("notes").put("w" + i, new JsonObject().put("i", i)).await();
    }
    await().until(() -> control.size() == 5);
    assertEquals(0, onContext(ctx, received::size));
    onContext(ctx, () -> stream.fetch(2));
    await().until(() -> received.size() == 2);
    assertEquals(2, onContext(ctx, received::size));
    onContext(ctx, stream::resume);
    await().until(() -> received.size() == 5);
    assertEquals(List.of("w0", "w1", "w2", "w3", "w4"), received.stream().map(Change::id).toList());
    assertTrue(received.stream().allMatch(c -> c.source() == ChangeSource.LOCAL));

    Promise<Void> ended = Promise.promise();
    stream.endHandler(ended::complete);
    stream.close().await();
    ended.future().await();
    tide.collection("notes").put("after-close", new JsonObject()).await();
    await().until(() -> control.size() == 6);
    assertEquals(5, onContext(ctx, received::size));
    tide.close().await();
  }

  /** Runs on the context and returns after every task queued there before it has run. */
  static <T> T onContext(Context ctx, java.util.function.Supplier<T> action) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> p.complete(action.get()));
    return p.future().await();
  }
}

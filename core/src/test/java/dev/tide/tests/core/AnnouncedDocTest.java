package dev.tide.tests.core;

import dev.tide.core.Change;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A change event announces the document as committed: a value the app can still change after put (a byte[],
 * an AtomicLong, which JsonObject.copy keeps as the app's instances) must not change the announced document.
 */
@ExtendWith(VertxExtension.class)
class AnnouncedDocTest {

  @TempDir
  Path dir;

  @Test
  void theAnnouncedDocumentIsTheCommittedOneEvenIfTheAppReusesItsValues(Vertx vertx) {
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("a.db").toString())).await();
    try {
      List<Change> bus = new CopyOnWriteArrayList<>();
      List<Change> stream = new CopyOnWriteArrayList<>();
      vertx.eventBus().<Change>localConsumer(tide.address(), m -> bus.add(m.body()));
      tide.watch().handler(stream::add);
      byte[] buffer = new byte[3];
      AtomicLong counter = new AtomicLong();
      for (int i = 0; i < 3; i++) {
        Arrays.fill(buffer, (byte) i);
        counter.set(i);
        tide.collection("notes").put("single" + i, new JsonObject().put("bin", buffer).put("n", counter));
      }
      tide.batch(b -> {
        for (int i = 0; i < 3; i++) {
          Arrays.fill(buffer, (byte) i);
          counter.set(i);
          b.put("notes", "batch" + i, new JsonObject().put("bin", buffer).put("n", counter));
        }
      }).await();
      Arrays.fill(buffer, (byte) 9); // the app reuses its buffer once put and batch returned
      counter.set(9);
      await().until(() -> bus.size() == 6 && stream.size() == 6);
      for (List<Change> changes : List.of(bus, stream)) {
        for (int k = 0; k < 6; k++) {
          Change c = changes.get(k);
          int i = k % 3;
          byte[] expected = new byte[3];
          Arrays.fill(expected, (byte) i);
          JsonObject stored = tide.collection("notes").get(c.id()).await();
          assertEquals(Base64.getEncoder().encodeToString(expected), stored.getString("bin"), "stored " + c.id());
          assertEquals(stored.encode(), c.doc().encode(), "announced " + c.id());
          assertEquals(stored.encode(), c.toEventJson().getJsonObject("doc").encode(), "announced as JSON " + c.id());
        }
      }
    } finally {
      tide.close().await();
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.Document;
import dev.tide.core.Tide;
import dev.tide.core.TideCollection;
import dev.tide.core.TideOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A list read in several pages sees one state of the store, whatever commits between its pages. */
@ExtendWith(VertxExtension.class)
class ListSnapshotTest {

  @TempDir
  Path dir;

  @Test
  void writesBetweenPagesDoNotShowInTheList(Vertx vertx) throws Exception {
    String path = dir.resolve("list.db").toString();
    Tide tide = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    try (ReaderStore reader = ReaderStore.open(path, "reader")) {
      TideCollection notes = tide.collection("notes");
      for (String id : List.of("a", "b", "c")) {
        notes.put(id, new JsonObject().put("v", id)).await();
      }
      boolean[] written = {false};
      List<Document> listed = reader.listAll("notes", 1, () -> {
        if (!written[0]) {
          written[0] = true;
          // after the first page: one document goes, another comes, and an existing one changes
          notes.delete("c").await();
          notes.put("bb", new JsonObject()).await();
          notes.put("b", new JsonObject().put("v", "b2")).await();
        }
      });
      assertEquals(List.of("a", "b", "c"), listed.stream().map(Document::id).toList());
      assertEquals("b", listed.get(1).doc().getString("v"));
      // the snapshot ended with the list: the next one sees the writes
      assertEquals(List.of("a", "b", "bb"), reader.listAll("notes", 1).stream().map(Document::id).toList());
    } finally {
      tide.close().await();
    }
  }
}

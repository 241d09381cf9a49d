package dev.tide.tests.http;

import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.core.Sql;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** tide_rejected keeps one row per document (its latest rejected write), not one per rejected write. */
@ExtendWith(VertxExtension.class)
class RejectedRowsTest {

  @TempDir
  Path dir;
  SyncFixture fx;

  @BeforeEach
  void setUp(Vertx vertx) {
    fx = new SyncFixture(vertx, dir);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  @Test
  void rejectedRowsDoNotPileUpForOneDocument() {
    fx.startServer(new TideServerOptions(), null, s -> new StoreWrapper(s, op -> op.id().startsWith("bad")));
    Tide r = fx.client("r");
    for (int i = 0; i < 50; i++) {
      r.collection("notes").put("bad", new JsonObject().put("v", i)).await();
      r.syncOnce().await();
    }
    r.collection("notes").delete("bad").await(); // rejected too; the document's state is now this delete
    r.syncOnce().await();
    long rows = Sql.count(dir.resolve("r.db").toString(), "SELECT count(*) FROM tide_rejected");
    assertTrue(rows <= 1, "one document, 51 rejected writes: tide_rejected holds " + rows + " rows");
  }
}

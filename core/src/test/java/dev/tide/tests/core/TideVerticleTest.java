package dev.tide.tests.core;

import dev.tide.core.StoreException;
import dev.tide.core.Stamp;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.TideVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class TideVerticleTest {

  @TempDir
  Path dir;

  @Test
  void deployFromJsonConfigWriteAndUndeployFlushes(Vertx vertx) {
    String path = dir.resolve("v.db").toString();
    TideOptions options = new TideOptions().setDbPath(path).setAddressPrefix("app");
    assertEquals(options.toJson(), new TideOptions(options.toJson()).toJson());

    TideVerticle verticle = new TideVerticle();
    String id = vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(options.toJson())).await();
    Tide tide = verticle.tide();
    assertEquals("app.changes", tide.address());
    List<Future<Stamp>> puts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      puts.add(tide.collection("notes").put("d" + i, new JsonObject().put("i", i)));
    }
    vertx.undeploy(id).await(); // queued writes are committed before the store closes
    Future.all(puts).await();
    assertThrows(StoreException.class, () -> tide.collection("notes").put("late", new JsonObject()).await());

    Tide reopened = Tide.open(vertx, new TideOptions().setDbPath(path)).await();
    try {
      assertEquals(200, reopened.collection("notes").list().await().size());
    } finally {
      reopened.close().await();
    }
  }

  @Test
  void optionsFromJson() {
    TideOptions o = new TideOptions(new JsonObject().put("dbPath", "x.db").put("synchronous", "full")
      .put("changesAsJson", true).put("maxWritesPerTransaction", 10));
    assertEquals("x.db", o.getDbPath());
    assertEquals(dev.tide.core.Synchronous.FULL, o.getSynchronous());
    assertTrue(o.isChangesAsJson());
    assertEquals(10, o.getMaxWritesPerTransaction());
    assertEquals(TideOptions.DEFAULT_ADDRESS_PREFIX, o.getAddressPrefix());
    assertEquals(o.toJson(), new TideOptions(o).toJson());
    assertThrows(IllegalArgumentException.class, () -> new TideOptions().setMaxWritesPerTransaction(0));
  }
}

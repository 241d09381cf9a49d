package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;
import dev.tide.server.spi.ServerStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.ProgressHandler;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pull that fails in SQLite (here interrupted) fails alone: its reader serves the next pulls again. */
@ExtendWith(VertxExtension.class)
class PageReaderRecoveryTest {

  @TempDir
  Path dir;

  @Test
  void aFailedPullDoesNotBreakItsReader(Vertx vertx) throws Exception {
    ServerStore store = SqliteServerStore.open(vertx, dir.resolve("s.db").toString(), Synchronous.NORMAL).await();
    try {
      store.push("", List.of(Change.of("notes", "a", new Stamp(1, "A"), new JsonObject(), "{}", ChangeSource.REMOTE))).await();
      Field readersField = SqliteServerStore.class.getDeclaredField("readers");
      readersField.setAccessible(true);
      Field connField = PageReader.class.getDeclaredField("conn");
      connField.setAccessible(true);
      AtomicBoolean interrupt = new AtomicBoolean();
      int readers = 0;
      for (Object reader : (ArrayBlockingQueue<?>) readersField.get(store)) {
        ProgressHandler.setHandler((Connection) connField.get(reader), 1, new ProgressHandler() {
          @Override
          protected int progress() {
            return interrupt.getAndSet(false) ? 1 : 0; // the next step after arming is interrupted, once
          }
        });
        readers++;
      }
      interrupt.set(true);
      assertTrue(store.pull("", 0, null, 100, 1 << 20).transform(ar -> Future.succeededFuture(ar.failed())).await(), "pull failed");
      for (int i = 0; i < 2 * readers; i++) { // every reader serves a pull, the one that failed too
        assertEquals(1, store.pull("", 0, null, 100, 1 << 20).await().changes().size());
      }
    } finally {
      store.close().await();
    }
  }
}

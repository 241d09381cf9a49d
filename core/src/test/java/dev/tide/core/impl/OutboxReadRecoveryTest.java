package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
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
import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The outbox read on the writer's connection after a commit (the prefetch) runs outside any transaction,
 * so no recovery follows a failure: one interrupted read must not break the later ones.
 */
@ExtendWith(VertxExtension.class)
class OutboxReadRecoveryTest {

  @TempDir
  Path dir;

  @Test
  void aFailedOutboxReadDoesNotBreakTheNext(Vertx vertx) {
    TideImpl tide = (TideImpl) Tide.open(vertx, new TideOptions().setDbPath(dir.resolve("o.db").toString())).await();
    try {
      tide.collection("notes").put("a", new JsonObject()).await();
      int read = tide.writer().submit(new WriteTask<WriterStore, Integer>(vertx.getOrCreateContext()) {
        @Override
        protected Integer run(WriterStore store, List<Change> events) throws SQLException {
          try {
            Field f = WriterStore.class.getDeclaredField("conn");
            f.setAccessible(true);
            Connection conn = (Connection) f.get(store);
            boolean[] interrupt = {true};
            ProgressHandler.setHandler(conn, 1, new ProgressHandler() {
              @Override
              protected int progress() {
                boolean now = interrupt[0];
                interrupt[0] = false;
                return now ? 1 : 0;
              }
            });
            assertThrows(SQLException.class, () -> store.outbox(10, 1 << 20));
            ProgressHandler.clearHandler(conn);
            return store.outbox(10, 1 << 20).ops().size();
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
        }
      }).await();
      assertEquals(1, read);
    } finally {
      tide.close().await();
    }
  }
}

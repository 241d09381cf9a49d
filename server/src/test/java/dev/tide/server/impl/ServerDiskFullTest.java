package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk fails a push's transaction; once there is room again the server stores on (sqlite-jdbc
 * finalizes a statement whose step failed, so the writer prepares its statements again).
 */
class ServerDiskFullTest {

  @TempDir
  Path dir;

  @Test
  void theWriterStoresOnAfterAFullDisk() throws Exception {
    ServerWriter w = ServerWriter.open(dir.resolve("s.db").toString(), Synchronous.NORMAL);
    try {
      Field f = ServerWriter.class.getDeclaredField("conn");
      f.setAccessible(true);
      Connection conn = (Connection) f.get(w);
      try (Statement st = conn.createStatement()) {
        st.executeQuery("PRAGMA max_page_count = 30").close();
      }
      String pad = "x".repeat(500);
      int stored = 0;
      boolean full = false;
      for (int i = 0; i < 1_000 && !full; i++) {
        try {
          w.begin();
          w.apply("", Change.of("notes", "d" + i, new Stamp(i + 1, "A"), new JsonObject().put("p", pad), "{\"p\":\"" + pad + "\"}",
            ChangeSource.REMOTE));
          w.commit();
          stored++;
        } catch (SQLException e) {
          w.rollback();
          w.recover();
          full = true;
        }
      }
      assertTrue(full, "the disk filled up");
      try (Statement st = conn.createStatement()) {
        st.executeQuery("PRAGMA max_page_count = 1073741823").close();
      }
      w.begin();
      w.apply("", Change.of("notes", "after", new Stamp(5_000, "A"), new JsonObject(), "{}", ChangeSource.REMOTE));
      w.commit();
      try (Statement st = conn.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM tide_server_docs")) {
        rs.next();
        assertEquals(stored + 1, rs.getInt(1));
      }
    } finally {
      w.close();
    }
  }
}

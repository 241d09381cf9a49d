package dev.tide.server.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.core.Synchronous;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pulls compare cursors with {@link ServerWriter#purgedSeq()} after reading their page. A pull whose
 * snapshot already lacks purged tombstones must see the purge there, so it is announced before COMMIT.
 */
class PurgeAnnounceTest {

  @TempDir
  Path dir;

  @Test
  void purgeIsAnnouncedBeforeItCommitsAndWithdrawnIfRolledBack() throws Exception {
    ServerWriter w = ServerWriter.open(dir.resolve("s.db").toString(), Synchronous.NORMAL);
    try {
      w.begin();
      w.apply("", Change.of("notes", "a", new Stamp(1, "A"), new JsonObject(), "{}", ChangeSource.REMOTE));
      w.apply("", new Change("notes", "b", new Stamp(2, "A"), null, ChangeSource.REMOTE)); // a tombstone, seq 2
      w.apply("", Change.of("notes", "c", new Stamp(3, "A"), new JsonObject(), "{}", ChangeSource.REMOTE));
      w.commit();
      assertEquals(0, w.purgedSeq());

      w.begin();
      assertEquals(1, w.purgeTombstones(Long.MAX_VALUE));
      assertEquals(2, w.purgedSeq(), "visible before COMMIT");
      w.rollback();
      assertEquals(0, w.purgedSeq(), "withdrawn: the tombstone is back");

      w.begin();
      assertEquals(1, w.purgeTombstones(Long.MAX_VALUE));
      w.commit();
      assertEquals(2, w.purgedSeq());
    } finally {
      w.close();
    }
  }
}

package dev.tide.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * An op whose stamp is already stored. The same state again is a replay: answered applied, nothing
 * changes. Another state under the same stamp comes from a writer whose clock went back with commits it
 * lost (a power loss under synchronous=NORMAL, a restored backup): it is kept, under a server stamp, so
 * every client gets it. Was a bug: it was taken for a replay, answered applied and dropped, and the
 * writer dropped it from its outbox: the write reached no one, with no error anywhere.
 */
@ExtendWith(VertxExtension.class)
class StampCollisionTest {

  @TempDir
  Path dir;

  @Test
  void aReusedStampWithAnotherStateIsKeptUnderAServerStamp(Vertx vertx) {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("collide.db"));
    try {
      JsonObject first = ServerFixture.request("a", null, ServerFixture.op("n", "x", 2, "a", new JsonObject().put("v", 1)));
      assertEquals("applied", server.sync(first).getJsonArray("results").getString(0));
      long seq = server.verticle.server().store().lastSeq();
      assertEquals("applied", server.sync(first).getJsonArray("results").getString(0));
      assertEquals(seq, server.verticle.server().store().lastSeq(), "a replay writes nothing");

      JsonObject reused = ServerFixture.request("a", null, ServerFixture.op("n", "x", 2, "a", new JsonObject().put("v", 2)));
      assertEquals("applied", server.sync(reused).getJsonArray("results").getString(0));
      JsonObject stored = server.snapshot().getJsonObject("n/x");
      assertEquals(2, stored.getJsonObject("doc").getInteger("v"), "the later write is what every client gets");
      assertNotEquals("a", stored.getJsonObject("stamp").getString("node"), "under a server stamp, which its writer pulls too");

      JsonObject deleted = ServerFixture.request("b", null, ServerFixture.op("n", "y", 5, "b", new JsonObject().put("v", 1)));
      server.sync(deleted);
      JsonObject reusedAsDelete = ServerFixture.request("b", null, ServerFixture.op("n", "y", 5, "b", null));
      assertEquals("applied", server.sync(reusedAsDelete).getJsonArray("results").getString(0));
      assertEquals(true, server.snapshot().getJsonObject("n/y").getBoolean("deleted"));
    } finally {
      server.stop();
    }
  }
}

package dev.tide.tests.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An op whose stamp is already stored. The same state again is a replay: answered applied, nothing
 * changes. Another state under the same stamp comes from a writer whose clock went back with commits it
 * lost (a power loss under synchronous=NORMAL, a restored backup): the server answers {@code restamp}
 * above its highest counter, and takes the write once its writer stamps it again. Was a bug: it was taken
 * for a replay, answered applied and dropped, and the writer dropped it from its outbox: the write reached
 * no one, with no error anywhere. (Then it was kept under a server stamp, which its writer could not tell
 * from another client's write if it lost it again.)
 */
@ExtendWith(VertxExtension.class)
class StampCollisionTest {

  @TempDir
  Path dir;

  @Test
  void aReusedStampWithAnotherStateIsWantedAgainUnderAHigherStamp(Vertx vertx) {
    ServerFixture server = ServerFixture.start(vertx, dir.resolve("collide.db"));
    try {
      JsonObject first = ServerFixture.request("a", null, ServerFixture.op("n", "x", 2, "a", new JsonObject().put("v", 1)));
      assertEquals("applied", server.sync(first).getJsonArray("results").getString(0));
      long seq = server.verticle.server().store().lastSeq();
      assertEquals("applied", server.sync(first).getJsonArray("results").getString(0));
      assertEquals(seq, server.verticle.server().store().lastSeq(), "a replay writes nothing");

      JsonObject reused = ServerFixture.request("a", null, ServerFixture.op("n", "x", 2, "a", new JsonObject().put("v", 2)));
      assertEquals(restampAbove(2), server.sync(reused).getJsonArray("results").getValue(0));
      assertEquals(seq, server.verticle.server().store().lastSeq(), "nothing written until it comes again");
      JsonObject again = ServerFixture.request("a", null, ServerFixture.op("n", "x", 3, "a", new JsonObject().put("v", 2)));
      assertEquals("applied", server.sync(again).getJsonArray("results").getString(0));
      JsonObject stored = server.snapshot().getJsonObject("n/x");
      assertEquals(2, stored.getJsonObject("doc").getInteger("v"), "the later write is what every client gets");
      assertEquals("a", stored.getJsonObject("stamp").getString("node"), "under its writer's own stamp");

      JsonObject deleted = ServerFixture.request("b", null, ServerFixture.op("n", "y", 5, "b", new JsonObject().put("v", 1)));
      server.sync(deleted);
      JsonObject reusedAsDelete = ServerFixture.request("b", null, ServerFixture.op("n", "y", 5, "b", null));
      assertEquals(restampAbove(5), server.sync(reusedAsDelete).getJsonArray("results").getValue(0));
      assertEquals(false, server.snapshot().getJsonObject("n/y").getBoolean("deleted", false));
    } finally {
      server.stop();
    }
  }

  static JsonObject restampAbove(long counter) {
    return new JsonObject().put("status", "restamp").put("above", counter);
  }
}

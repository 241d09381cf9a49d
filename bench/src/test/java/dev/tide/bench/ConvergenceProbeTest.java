package dev.tide.bench;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Document;
import dev.tide.core.Stamp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S5's end point: converged exactly when every document holds the winner's stamp, reported once. */
class ConvergenceProbeTest {

  private static Document doc(String id, long counter, String node) {
    return new Document("notes", id, new JsonObject().put("by", node), new Stamp(counter, node), false);
  }

  private static Change change(String id, long counter, String node) {
    return Change.ofJson("notes", id, new Stamp(counter, node), "{\"by\":\"" + node + "\"}", ChangeSource.REMOTE);
  }

  @Test
  void convergesOnTheEventThatGivesTheLastDocumentTheWinnersStamp() {
    ConvergenceProbe probe = new ConvergenceProbe("w", List.of(doc("a", 5, "x"), doc("b", 5, "x"), doc("c", 5, "w")));
    assertFalse(probe.converged(1));
    assertFalse(probe.changed(change("a", 6, "w"), 2));
    assertFalse(probe.changed(change("a", 7, "y"), 3), "a left the winner again");
    assertFalse(probe.changed(change("b", 6, "w"), 4));
    assertTrue(probe.changed(change("a", 8, "w"), 5));
    assertEquals(5, probe.convergedAt());
    assertFalse(probe.changed(change("c", 9, "w"), 6), "reported once");
    assertEquals(5, probe.convergedAt());
  }

  @Test
  void aStoreThatAlreadyHoldsTheWinnersStampsHasConvergedAtOnce() {
    ConvergenceProbe probe = new ConvergenceProbe("w", List.of(doc("a", 5, "w"), doc("b", 5, "w")));
    assertTrue(probe.converged(7));
    assertEquals(7, probe.convergedAt());
  }

  @Test
  void aDocumentTheStoreDidNotHoldIsNotConvergence() {
    ConvergenceProbe probe = new ConvergenceProbe("w", List.of(doc("a", 5, "x")));
    assertFalse(probe.changed(change("z", 6, "w"), 1), "a new id: the store holds more than the scenario's documents");
    assertFalse(probe.changed(change("a", 6, "w"), 2), "every id the winner's, but one more than expected");
  }
}

package dev.tide.bench;

import dev.tide.core.Change;
import dev.tide.core.Document;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * S5's probe in a client: which node's stamp each document holds, kept from the store's change events
 * (in memory, on the store's event loop), so the client notices the moment its store holds the winner's
 * stamp on every document without reading the store while the others still sync. Reading and hashing
 * the whole store at each burst of changes (the probe before) took the event loop and the reader the
 * sync needed, and timed the hashing as if it were convergence. The full digest still decides: it is
 * computed once the stamps say so, and the benchmark compares it with the winner's.
 */
final class ConvergenceProbe {

  private final String winnerNode;
  private final int size;
  private final Map<String, String> nodeById = new HashMap<>();
  private int won;
  private long convergedAt;

  /** @param docs the store's documents when sync starts */
  ConvergenceProbe(String winnerNode, List<Document> docs) {
    this.winnerNode = winnerNode;
    this.size = docs.size();
    for (Document d : docs) {
      set(d.id(), d.stamp().node());
    }
  }

  /** Records a committed change; true when it is the one that made every document the winner's. */
  boolean changed(Change c, long nanoTime) {
    set(c.id(), c.stamp().node());
    return converged(nanoTime);
  }

  /** True (once) when every document holds the winner's stamp; records the time it was first seen. */
  boolean converged(long nanoTime) {
    if (convergedAt != 0 || won != size || nodeById.size() != size) {
      return false;
    }
    convergedAt = nanoTime;
    return true;
  }

  long convergedAt() {
    return convergedAt;
  }

  private void set(String id, String node) {
    String before = nodeById.put(id, node);
    if (winnerNode.equals(before)) {
      won--;
    }
    if (winnerNode.equals(node)) {
      won++;
    }
  }
}

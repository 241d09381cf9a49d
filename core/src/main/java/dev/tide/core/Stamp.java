package dev.tide.core;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A Lamport stamp: the version of one write. Stamps are totally ordered: the higher counter wins;
 * equal counters are broken by node id compared as strings (code-unit order), the greater wins.
 * Node ids are unique per store, so two different writers never produce equal stamps.
 *
 * @param counter the Lamport counter, {@code 0 <= counter <= } {@link #MAX_COUNTER}
 * @param node    the id of the node that made the write (see {@link ChangeCodec#NODE_PATTERN})
 */
public record Stamp(long counter, String node) implements Comparable<Stamp> {

  /** 2^53 − 1: the largest integer every JSON implementation represents exactly. */
  public static final long MAX_COUNTER = (1L << 53) - 1;

  public Stamp {
    Objects.requireNonNull(node, "node");
    if (counter < 0 || counter > MAX_COUNTER) {
      throw new InvalidChangeException("stamp.counter", "must be an integer in [0, 2^53-1], got " + counter);
    }
  }

  /** True if this stamp wins over {@code other} under last-writer-wins ({@code null} always loses). */
  public boolean beats(Stamp other) {
    return other == null || compareTo(other) > 0;
  }

  @Override
  public int compareTo(Stamp other) {
    int c = Long.compare(counter, other.counter);
    return c != 0 ? c : node.compareTo(other.node);
  }

  /** The wire form: {@code {"counter":7,"node":"a1"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("counter", counter).put("node", node);
  }

  @Override
  public String toString() {
    return counter + "@" + node;
  }
}

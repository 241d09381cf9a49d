package dev.tide.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The scenarios' document (SCENARIOS.md): serialized to exactly 200 bytes with its id counted as the
 * peer counts it ({@code "_id":"doc-00000042",} inside the JSON). tide keeps the id outside the body,
 * so the body is the same object without {@code _id}: 200 − 21 = 179 bytes.
 */
final class Docs {

  static final int PEER_BYTES = 200;
  private static final String LOREM = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et "
    + "dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris";

  private Docs() {
  }

  static String id(int i) {
    return String.format("doc-%08d", i);
  }

  static JsonObject doc(int i) {
    JsonObject d = new JsonObject().put("type", "note").put("title", "Note " + i).put("n", i)
      .put("tags", new JsonArray().add("bench").add("peer")).put("updatedAt", "2025-01-01T00:00:00.000Z").put("body", "");
    int withId = d.encode().length() + ("\"_id\":\"" + id(i) + "\",").length();
    return d.put("body", LOREM.substring(0, PEER_BYTES - withId));
  }
}

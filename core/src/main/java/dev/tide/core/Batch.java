package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * Several writes committed in one transaction: all of them or none. Collected by
 * {@link Tide#batch(java.util.function.Consumer)}; each write gets its own stamp, in call order.
 * Invalid input throws {@link InvalidChangeException} at once and nothing of the batch is written.
 */
public interface Batch {

  Batch put(String collection, String id, JsonObject doc);

  Batch delete(String collection, String id);
}

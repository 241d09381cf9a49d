package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * A document as stored locally, with its version and sync state.
 *
 * @param collection the collection
 * @param id         the id
 * @param doc        the body, or {@code null} if the document is deleted (a tombstone)
 * @param stamp      the stamp of the write that produced this state
 * @param pending    true while this state is a local write the server has not yet acknowledged
 * @param rejected   true if this state is a local write the server rejected: it stays here only
 *                   (reported on {@link Tide#rejectedAddress()}), until a newer write replaces it
 */
public record Document(String collection, String id, JsonObject doc, Stamp stamp, boolean pending, boolean rejected) {

  /** A document that is not a rejected write. */
  public Document(String collection, String id, JsonObject doc, Stamp stamp, boolean pending) {
    this(collection, id, doc, stamp, pending, false);
  }

  public boolean deleted() {
    return doc == null;
  }
}

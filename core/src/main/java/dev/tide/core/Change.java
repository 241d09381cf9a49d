package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * One write to one document: a put (with {@link #doc()}) or a delete (a tombstone, {@code doc} null).
 * The same shape is an <em>op</em> when a client pushes it and a <em>change</em> when the server
 * sends it; {@link ChangeCodec} gives its exact JSON form.
 * <p>
 * Instances are shared, not copied, between event-bus consumers in the same Vert.x instance:
 * treat {@link #doc()} as read-only (copy it before changing it).
 *
 * @param collection the collection name
 * @param id         the document id within the collection
 * @param stamp      the Lamport stamp of the write
 * @param doc        the document, or {@code null} for a delete
 * @param source     {@link ChangeSource#LOCAL} for this store's writes, {@link ChangeSource#REMOTE} otherwise;
 *                   not part of the wire form
 */
public record Change(String collection, String id, Stamp stamp, JsonObject doc, ChangeSource source) {

  /** True for a delete (tombstone). */
  public boolean deleted() {
    return doc == null;
  }

  /** The exact wire form, without {@code source}. */
  public JsonObject toJson() {
    return ChangeCodec.encode(this);
  }

  /** The wire form plus {@code "source"}: the body of change notifications published as JSON. */
  public JsonObject toEventJson() {
    return ChangeCodec.encode(this).put("source", source.toJson());
  }

  /** Decodes and validates the wire form; the result's source is {@link ChangeSource#REMOTE}. */
  public static Change fromJson(JsonObject json) {
    return ChangeCodec.decode(json, ChangeSource.REMOTE);
  }
}

package dev.tide.core;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * One write to one document: a put (with {@link #doc()}) or a delete (a tombstone, {@code doc} null).
 * The same shape is an <em>op</em> when a client pushes it and a <em>change</em> when the server
 * sends it; {@link ChangeCodec} gives its exact JSON form.
 * <p>
 * Immutable, and shared rather than copied between event-bus consumers in the same Vert.x instance:
 * treat {@link #doc()} as read-only (copy it before changing it). The document's JSON text is kept once
 * known ({@link #docJson()}), so a change read from storage or the wire is never re-encoded.
 */
public final class Change {

  private final String collection;
  private final String id;
  private final Stamp stamp;
  private final ChangeSource source;
  private volatile JsonObject doc;
  private volatile String json;

  /**
   * @param collection the collection name
   * @param id         the document id within the collection
   * @param stamp      the Lamport stamp of the write
   * @param doc        the document, or {@code null} for a delete
   * @param source     {@link ChangeSource#LOCAL} for this store's writes, {@link ChangeSource#REMOTE} otherwise;
   *                   not part of the wire form
   */
  public Change(String collection, String id, Stamp stamp, JsonObject doc, ChangeSource source) {
    this(collection, id, stamp, doc, null, source);
  }

  private Change(String collection, String id, Stamp stamp, JsonObject doc, String json, ChangeSource source) {
    this.collection = Objects.requireNonNull(collection, "collection");
    this.id = Objects.requireNonNull(id, "id");
    this.stamp = Objects.requireNonNull(stamp, "stamp");
    this.source = Objects.requireNonNull(source, "source");
    this.doc = doc;
    this.json = json;
  }

  /** A change whose document is known as validated JSON text (parsed only if {@link #doc()} is asked for). */
  public static Change ofJson(String collection, String id, Stamp stamp, String docJson, ChangeSource source) {
    return new Change(collection, id, stamp, null, docJson, source);
  }

  /** A change with both forms of its document; {@code docJson} must be {@code doc}'s JSON text. */
  public static Change of(String collection, String id, Stamp stamp, JsonObject doc, String docJson, ChangeSource source) {
    return new Change(collection, id, stamp, doc, docJson, source);
  }

  public String collection() {
    return collection;
  }

  public String id() {
    return id;
  }

  public Stamp stamp() {
    return stamp;
  }

  public ChangeSource source() {
    return source;
  }

  /** The document, or {@code null} for a delete. Read-only: shared with other consumers. */
  public JsonObject doc() {
    JsonObject d = doc;
    if (d == null && json != null) {
      d = new JsonObject(json);
      doc = d;
    }
    return d;
  }

  /** The document's JSON text, or {@code null} for a delete. */
  public String docJson() {
    String j = json;
    if (j == null && doc != null) {
      j = doc.encode();
      json = j;
    }
    return j;
  }

  /** True for a delete (tombstone). */
  public boolean deleted() {
    return doc == null && json == null;
  }

  /** The same change with another source. */
  public Change withSource(ChangeSource source) {
    return source == this.source ? this : new Change(collection, id, stamp, doc, json, source);
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

  @Override
  public boolean equals(Object o) {
    return o instanceof Change c && collection.equals(c.collection) && id.equals(c.id) && stamp.equals(c.stamp)
      && source == c.source && Objects.equals(doc(), c.doc());
  }

  @Override
  public int hashCode() {
    return Objects.hash(collection, id, stamp, source);
  }

  @Override
  public String toString() {
    return "Change[" + collection + "/" + id + " " + stamp + (deleted() ? " deleted" : " " + docJson()) + " " + source.toJson() + "]";
  }
}

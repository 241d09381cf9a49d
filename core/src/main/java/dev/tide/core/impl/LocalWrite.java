package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.Stamp;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated local write: a put (a private copy of the document, and its JSON text) or a delete
 * (both null). Its values are checked on the caller's thread, before anything is queued. A put in a
 * batch is serialized later ({@link #putInBatch}): the caller serializes the batch's documents while
 * the writer already works on the first ones, and the writer serializes any it reaches first; the size
 * limit is checked then, and a document over it fails the whole batch.
 */
final class LocalWrite {

  private final String collection;
  private final String id;
  /** The private copy; null for a delete, and for a put whose copy shares a value the app can change (its text is announced). */
  private final JsonObject doc;
  /** The document's JSON text: set at once for a single put, on first need for a put in a batch. */
  private volatile String body;

  private LocalWrite(String collection, String id, JsonObject doc, String body) {
    this.collection = collection;
    this.id = id;
    this.doc = doc;
    this.body = body;
  }

  static LocalWrite put(String collection, String id, JsonObject doc) {
    ChangeCodec.checkCollection(collection, "collection");
    ChangeCodec.checkId(id, "id");
    JsonObject snapshot = copy(ChangeCodec.checkDocValues(doc, "doc"));
    // the copy is what is stored, cached and announced, so it is what gets serialized; a copy that still
    // shares a value the app can change is announced from its text (see #announced)
    return new LocalWrite(collection, id, announced(snapshot), ChangeCodec.encodeDoc(snapshot, "doc"));
  }

  /**
   * A put whose document is checked now and serialized later, from its private copy ({@link #serialize}),
   * unless the copy still shares a value the app could change: then it is serialized now.
   */
  static LocalWrite putInBatch(String collection, String id, JsonObject doc) {
    ChangeCodec.checkCollection(collection, "collection");
    ChangeCodec.checkId(id, "id");
    JsonObject snapshot = copy(ChangeCodec.checkDocValues(doc, "doc"));
    if (sharesMutableValue(snapshot)) {
      return new LocalWrite(collection, id, null, ChangeCodec.encodeDoc(snapshot, "doc")); // announced from its text
    }
    return new LocalWrite(collection, id, snapshot, null);
  }

  /**
   * The copy to announce in the change event, or null to announce the text instead (parsed when a consumer
   * asks for the document): a copy that still shares a value the app can change would show the app's later
   * changes to every consumer, so that the announced document would not be the one committed.
   */
  private static JsonObject announced(JsonObject snapshot) {
    return sharesMutableValue(snapshot) ? null : snapshot;
  }

  /**
   * True if a value in the copy is still the app's own mutable object: {@code JsonObject.copy()} copies
   * maps, lists, buffers and char sequences, but keeps a {@code byte[]}, any {@code Number} (an
   * {@code AtomicLong} too) and any other type as the same instance.
   */
  private static boolean sharesMutableValue(Object v) {
    if (v instanceof JsonObject o) {
      for (Object x : o.getMap().values()) {
        if (sharesMutableValue(x)) {
          return true;
        }
      }
      return false;
    }
    if (v instanceof JsonArray a) {
      for (Object x : a.getList()) {
        if (sharesMutableValue(x)) {
          return true;
        }
      }
      return false;
    }
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
      || v instanceof Double || v instanceof Float || v instanceof Short || v instanceof Byte || v instanceof Character
      || v instanceof Instant || v instanceof Enum<?> || v instanceof Buffer) {
      return false;
    }
    // BigInteger and BigDecimal are immutable unless subclassed
    return v.getClass() != BigInteger.class && v.getClass() != BigDecimal.class;
  }

  static LocalWrite delete(String collection, String id) {
    ChangeCodec.checkCollection(collection, "collection");
    ChangeCodec.checkId(id, "id");
    return new LocalWrite(collection, id, null, null);
  }

  /** The caller's snapshot: the app may change its object once put returns. */
  private static JsonObject copy(JsonObject doc) {
    try {
      return doc.copy();
    } catch (IllegalStateException e) { // a value JSON has no type for
      throw new InvalidChangeException("doc", "is not JSON-encodable: " + e.getMessage());
    }
  }

  /**
   * The document's JSON text (null for a delete), serializing the private copy the first time. The
   * caller and the writer may both do it at once: they read the same unchanging copy and get the same text.
   *
   * @throws InvalidChangeException if the document cannot be serialized or is too large
   */
  String serialize() {
    String b = body;
    if (b == null && doc != null) {
      b = ChangeCodec.encodeDoc(doc, "doc");
      body = b;
    }
    return b;
  }

  /**
   * On the caller's thread after a batch is queued: serializes its documents ahead of the writer.
   * A document that cannot be serialized is left for the writer, which fails the batch with that error.
   */
  static void serializeAhead(List<LocalWrite> writes) {
    try {
      for (LocalWrite w : writes) {
        w.serialize();
      }
    } catch (InvalidChangeException e) {
      // the writer meets the same error and fails the whole batch
    }
  }

  Stamp apply(WriterStore store, List<Change> events) throws SQLException {
    String json = serialize();
    Stamp stamp = store.nextStamp();
    store.writeLocal(collection, id, json, stamp);
    events.add(Change.of(collection, id, stamp, doc, json, ChangeSource.LOCAL));
    return stamp;
  }

  /** One write in a transaction (shared with other queued tasks by group commit). */
  static final class Single extends WriteTask<WriterStore, Stamp> {
    private final LocalWrite write;

    Single(Context context, LocalWrite write) {
      super(context);
      this.write = write;
    }

    @Override
    protected Stamp run(WriterStore store, List<Change> events) throws SQLException {
      return write.apply(store, events);
    }
  }

  /** Several writes that commit together or not at all. */
  static final class Many extends WriteTask<WriterStore, List<Stamp>> {
    private final List<LocalWrite> writes;

    Many(Context context, List<LocalWrite> writes) {
      super(context);
      this.writes = writes;
    }

    @Override
    protected List<Stamp> run(WriterStore store, List<Change> events) throws SQLException {
      List<Stamp> stamps = new ArrayList<>(writes.size());
      for (LocalWrite w : writes) {
        stamps.add(w.apply(store, events));
      }
      return stamps;
    }

    @Override
    protected int weight() {
      return writes.size();
    }
  }
}

package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated local write: a put (JSON text + a private copy of the doc for the change feed) or a
 * delete (both null). Validation happens on the caller's thread, before anything is queued.
 */
record LocalWrite(String collection, String id, String body, JsonObject doc) {

  static LocalWrite put(String collection, String id, JsonObject doc) {
    ChangeCodec.checkCollection(collection, "collection");
    ChangeCodec.checkId(id, "id");
    String body = ChangeCodec.checkDoc(doc, "doc");
    return new LocalWrite(collection, id, body, doc.copy());
  }

  static LocalWrite delete(String collection, String id) {
    ChangeCodec.checkCollection(collection, "collection");
    ChangeCodec.checkId(id, "id");
    return new LocalWrite(collection, id, null, null);
  }

  Stamp apply(WriterStore store, List<Change> events) throws SQLException {
    Stamp stamp = store.nextStamp();
    store.writeLocal(collection, id, body, stamp);
    events.add(Change.of(collection, id, stamp, doc, body, ChangeSource.LOCAL));
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

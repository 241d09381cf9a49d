package dev.tide.core;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A named set of JSON documents in a {@link Tide} store. Writes complete after their transaction is
 * committed to the local store; they sync in the background. Reads see every completed write.
 */
public interface TideCollection {

  String name();

  /** Creates or replaces a document. Completes with the write's stamp once committed locally. */
  Future<Stamp> put(String id, JsonObject doc);

  /** Deletes a document (a tombstone that syncs). Completes with the write's stamp once committed. */
  Future<Stamp> delete(String id);

  /** The document's body, or {@code null} when absent or deleted. */
  Future<JsonObject> get(String id);

  /** The document with its stamp and pending state, tombstones included; {@code null} when never seen. */
  Future<Document> document(String id);

  /** All live documents, in id order (UTF-8 byte order), as one committed state of the store. */
  Future<List<Document>> list();

  /** At most {@code limit} live documents with an id greater than {@code afterId} ({@code null}: from the start). */
  Future<List<Document>> list(int limit, String afterId);

  /** Committed changes of this collection, local and remote, from now on. */
  ChangeStream watch();

  /** The event-bus address where this collection's changes are published. */
  String address();
}

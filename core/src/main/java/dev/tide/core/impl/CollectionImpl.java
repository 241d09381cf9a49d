package dev.tide.core.impl;

import dev.tide.core.ChangeCodec;
import dev.tide.core.ChangeStream;
import dev.tide.core.Document;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.Stamp;
import dev.tide.core.TideCollection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

final class CollectionImpl implements TideCollection {

  /** Page size of {@link #list()}: the whole collection is read page by page, in one snapshot, on the reader thread. */
  private static final int LIST_PAGE = 10_000;

  private final TideImpl tide;
  private final String name;

  CollectionImpl(TideImpl tide, String name) {
    this.tide = tide;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Future<Stamp> put(String id, JsonObject doc) {
    LocalWrite write;
    try {
      write = LocalWrite.put(name, id, doc);
    } catch (InvalidChangeException e) {
      return tide.now(Future.failedFuture(e));
    }
    return tide.write(write);
  }

  @Override
  public Future<Stamp> delete(String id) {
    LocalWrite write;
    try {
      write = LocalWrite.delete(name, id);
    } catch (InvalidChangeException e) {
      return tide.now(Future.failedFuture(e));
    }
    return tide.write(write);
  }

  @Override
  public Future<JsonObject> get(String id) {
    try {
      ChangeCodec.checkId(id, "id");
    } catch (InvalidChangeException e) {
      return tide.now(Future.failedFuture(e));
    }
    return tide.get(name, id);
  }

  @Override
  public Future<Document> document(String id) {
    try {
      ChangeCodec.checkId(id, "id");
    } catch (InvalidChangeException e) {
      return tide.now(Future.failedFuture(e));
    }
    return tide.document(name, id);
  }

  @Override
  public Future<List<Document>> list() {
    return tide.read(() -> tide.reader().listAll(name, LIST_PAGE));
  }

  @Override
  public Future<List<Document>> list(int limit, String afterId) {
    if (limit < 1) {
      return tide.now(Future.failedFuture(new IllegalArgumentException("limit must be >= 1")));
    }
    return tide.read(() -> tide.reader().list(name, afterId, limit));
  }

  @Override
  public ChangeStream watch() {
    return tide.stream(name);
  }

  @Override
  public String address() {
    return tide.feed().address(name);
  }
}

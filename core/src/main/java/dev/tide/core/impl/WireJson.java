package dev.tide.core.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tide.core.Change;
import dev.tide.core.Stamp;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncRequest;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes sync messages with a streaming generator, copying each document's JSON text as it is (it was
 * validated when the write was made), so a push never parses and re-encodes documents.
 */
public final class WireJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private WireJson() {
  }

  public static Buffer request(SyncRequest request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + request.ops().size() * 256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("protocol", SyncProtocol.VERSION);
      g.writeStringField("node_id", request.nodeId());
      g.writeStringField("cursor", request.cursor());
      g.writeArrayFieldStart("ops");
      for (Change op : request.ops()) {
        writeChange(g, op);
      }
      g.writeEndArray();
      if (request.limit() != null) {
        g.writeNumberField("limit", request.limit());
      }
      if (request.includeOwn()) {
        g.writeBooleanField("include_own", true);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** {@code {"collection":...,"id":...,"stamp":{"counter":...,"node":...},"doc":<raw>|"deleted":true}} */
  public static void writeChange(JsonGenerator g, Change c) throws IOException {
    writeChange(g, c.collection(), c.id(), c.stamp(), c.docJson());
  }

  /** The same from its parts; {@code docJson} is validated JSON text, or null for a delete. */
  public static void writeChange(JsonGenerator g, String collection, String id, Stamp stamp, String docJson) throws IOException {
    g.writeStartObject();
    g.writeStringField("collection", collection);
    g.writeStringField("id", id);
    g.writeObjectFieldStart("stamp");
    g.writeNumberField("counter", stamp.counter());
    g.writeStringField("node", stamp.node());
    g.writeEndObject();
    if (docJson == null) {
      g.writeBooleanField("deleted", true);
    } else {
      g.writeFieldName("doc");
      g.writeRawValue(docJson);
    }
    g.writeEndObject();
  }
}

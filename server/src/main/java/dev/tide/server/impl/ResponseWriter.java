package dev.tide.server.impl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tide.core.OpResult;
import dev.tide.core.impl.WireJson;
import dev.tide.server.spi.StoredChange;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes a sync response. Document bodies are copied as the JSON text they were stored as (validated
 * when pushed), so a pull never parses and re-encodes documents.
 */
final class ResponseWriter {

  private static final JsonFactory FACTORY = new JsonFactory();

  private ResponseWriter() {
  }

  static Buffer write(String cursor, List<StoredChange> changes, boolean more, List<OpResult> results, long remaining) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + changes.size() * 256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("cursor", cursor);
      writeChanges(g, changes);
      g.writeBooleanField("more", more);
      g.writeArrayFieldStart("results");
      for (OpResult r : results) {
        JacksonCodec.encodeJson(r.toJson(), g);
      }
      g.writeEndArray();
      g.writeNumberField("remaining", remaining);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** A WebSocket push frame: {@code {"type":"changes","from":...,"cursor":...,"changes":[...],"more":...}}. */
  static String pushFrame(String from, String cursor, List<StoredChange> changes, boolean more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + changes.size() * 256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", "changes");
      g.writeStringField("from", from);
      g.writeStringField("cursor", cursor);
      writeChanges(g, changes);
      g.writeBooleanField("more", more);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeChanges(JsonGenerator g, List<StoredChange> changes) throws IOException {
    g.writeArrayFieldStart("changes");
    for (StoredChange c : changes) {
      WireJson.writeChange(g, c.collection(), c.id(), c.stamp(), c.body());
    }
    g.writeEndArray();
  }
}

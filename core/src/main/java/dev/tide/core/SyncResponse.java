package dev.tide.core;

import dev.tide.core.impl.MessageFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One sync exchange's response (see PROTOCOL.md).
 * <pre>{"cursor":"...","changes":[...],"more":false,"results":["applied","superseded"],"remaining":0}</pre>
 *
 * @param cursor    the position after the changes this response covers (sent, or skipped as the client's own); send it next time
 * @param changes   changes after the request's cursor, in commit order, not echoing the client's own writes
 * @param more      true if more changes are waiting: call again with {@code cursor} now
 * @param results   one result per request op, in order
 * @param remaining an upper bound of the changes still to pull (0 when {@code more} is false)
 */
public record SyncResponse(String cursor, List<Change> changes, boolean more, List<OpResult> results, long remaining) {

  public JsonObject toJson() {
    JsonArray ch = new JsonArray();
    changes.forEach(c -> ch.add(ChangeCodec.encode(c)));
    JsonArray res = new JsonArray();
    results.forEach(r -> res.add(r.toJson()));
    return new JsonObject().put("cursor", cursor).put("changes", ch).put("more", more).put("results", res)
      .put("remaining", remaining);
  }

  /**
   * Reads and validates a response body as {@link #fromJson} does, with a streaming parser; each
   * change's document keeps the JSON text it arrived as. Bad JSON is an {@link InvalidChangeException}
   * with field {@code body}.
   */
  public static SyncResponse fromBuffer(io.vertx.core.buffer.Buffer body) {
    return dev.tide.core.impl.WireReader.response(body);
  }

  /** Validates and decodes a response: a faulty server cannot put invalid data into the client's store. */
  public static SyncResponse fromJson(JsonObject json) {
    MessageFields.Response fields = new MessageFields.Response();
    fields.cursor = json.getValue("cursor");
    fields.more = json.getValue("more");
    fields.remaining = json.getValue("remaining");
    fields.hasChanges = json.getValue("changes") instanceof JsonArray;
    fields.hasResults = json.getValue("results") instanceof JsonArray;
    if (json.getValue("changes") instanceof JsonArray array) {
      for (int i = 0; i < array.size() && fields.changeError == null; i++) {
        try {
          fields.changes.add(ChangeCodec.decode(array.getValue(i), ChangeSource.REMOTE));
        } catch (InvalidChangeException e) {
          fields.changeError = e.within("changes[" + i + "]");
        }
      }
    } else {
      fields.changesValue = json.getValue("changes");
    }
    if (json.getValue("results") instanceof JsonArray array) {
      array.forEach(r -> fields.results.add(OpResult.fromJson(r)));
    } else {
      fields.resultsValue = json.getValue("results");
    }
    return fields.check();
  }
}

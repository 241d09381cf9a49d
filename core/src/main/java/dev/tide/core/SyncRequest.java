package dev.tide.core;

import dev.tide.core.impl.MessageFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;


/**
 * One sync exchange's request (see PROTOCOL.md): push {@code ops}, pull the changes after {@code cursor}.
 * <pre>{"protocol":1,"node_id":"a1","cursor":null,"ops":[...],"limit":1000}</pre>
 *
 * @param nodeId the client's node id; every op must carry a stamp of this node
 * @param cursor the position after which to pull, or null for "from the beginning"
 * @param ops    local writes to push, oldest first
 * @param limit  at most this many changes in the response; null for the server's default
 * @param includeOwn also pull the client's own writes (after a reset, to learn which of them the server has)
 */
public record SyncRequest(String nodeId, String cursor, List<Change> ops, Integer limit, boolean includeOwn) {

  public SyncRequest(String nodeId, String cursor, List<Change> ops, Integer limit) {
    this(nodeId, cursor, ops, limit, false);
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(ops.size()));
    for (Change op : ops) {
      array.add(ChangeCodec.encode(op));
    }
    JsonObject json = new JsonObject()
      .put("protocol", SyncProtocol.VERSION)
      .put("node_id", nodeId)
      .put("cursor", cursor)
      .put("ops", array);
    if (limit != null) {
      json.put("limit", limit);
    }
    if (includeOwn) {
      json.put("include_own", true);
    }
    return json;
  }

  /** The same JSON, written straight to bytes (documents copied as their JSON text). */
  public io.vertx.core.buffer.Buffer toBuffer() {
    return dev.tide.core.impl.WireJson.request(this);
  }

  /**
   * Reads and validates a request body as {@link #fromJson} does (same errors, field by field), with a
   * streaming parser: no tree is built, and each op's document keeps the exact JSON text it arrived as
   * (see {@link Change#docJson()}). Bad JSON, or an object that repeats a name, is an
   * {@link InvalidChangeException} with field {@code body}.
   */
  public static SyncRequest fromBuffer(io.vertx.core.buffer.Buffer body) {
    return dev.tide.core.impl.WireReader.request(body);
  }

  /**
   * Validates and decodes a request body. An unknown protocol version throws
   * {@link SyncProtocol.UnsupportedProtocolException}; anything else wrong an {@link InvalidChangeException}
   * naming the field (e.g. {@code ops[2].stamp.counter}).
   */
  public static SyncRequest fromJson(JsonObject json) {
    MessageFields.Request fields = new MessageFields.Request();
    fields.protocol = json.getValue("protocol");
    fields.nodeId = json.getValue("node_id");
    fields.cursor = json.getValue("cursor");
    fields.limit = json.getValue("limit");
    fields.includeOwn = json.getValue("include_own");
    if (json.getValue("ops") instanceof JsonArray array) {
      for (int i = 0; i < array.size() && fields.opError == null; i++) {
        if (i == SyncProtocol.MAX_OPS) {
          fields.opError = new SyncProtocol.TooManyOpsException();
          break;
        }
        try {
          fields.ops.add(ChangeCodec.decode(array.getValue(i), ChangeSource.REMOTE));
        } catch (InvalidChangeException e) {
          fields.opError = e.within("ops[" + i + "]");
        }
      }
    } else {
      fields.opsValue = json.getValue("ops");
    }
    return fields.check();
  }
}

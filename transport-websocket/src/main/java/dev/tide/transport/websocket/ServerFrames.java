package dev.tide.transport.websocket;

import dev.tide.core.Change;
import dev.tide.core.InvalidChangeException;
import dev.tide.core.SyncException;
import dev.tide.core.SyncProtocol;
import dev.tide.core.SyncResponse;
import dev.tide.core.impl.WireReader;
import dev.tide.core.spi.PushedChanges;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.List;

/**
 * The server's frames (PROTOCOL.md, section 6), read strictly: a frame that breaks the protocol (not a
 * JSON object, no {@code type}, a field missing or of the wrong type) is a {@link #protocolError}, never
 * guessed at. The transport then fails what is in flight and reconnects, as the HTTP transport fails an
 * exchange whose body it cannot read. Frames of an unknown type are {@link Unknown} (forward compatibility).
 */
final class ServerFrames {

  private ServerFrames() {
  }

  sealed interface Frame permits Hello, Result, Error, Changes, Unknown {
  }

  /** @param maxMessageBytes the largest request the server takes (unbounded if it did not say) */
  record Hello(long maxMessageBytes) implements Frame {
  }

  record Result(long id, SyncResponse response) implements Frame {
  }

  /** @param id the request refused, or null: the server could not read the frame that far */
  record Error(Long id, SyncException error) implements Frame {
  }

  record Changes(PushedChanges push) implements Frame {
  }

  record Unknown(String type) implements Frame {
  }

  static SyncException protocolError(String problem) {
    return SyncException.protocolError(problem);
  }

  /** A frame the decoder could not read (not JSON, not one object, over a parser limit). */
  static SyncException unreadable(Throwable cause) {
    return protocolError("unreadable frame from the server: " + cause.getMessage());
  }

  /** The frame by its type; throws {@link #protocolError} if it breaks the protocol. */
  static Frame read(WireReader.Frame read) {
    JsonObject frame = read.fields();
    if (!(frame.getValue("type") instanceof String type)) {
      throw protocolError("a frame from the server has no type");
    }
    try {
      return switch (type) {
        case "hello" -> hello(frame);
        case "result" -> result(read);
        case "error" -> error(frame);
        case "changes" -> changes(read);
        default -> new Unknown(type);
      };
    } catch (InvalidChangeException e) {
      throw protocolError("malformed " + type + " frame from the server: " + e.getMessage());
    }
  }

  private static Hello hello(JsonObject frame) {
    Object protocol = frame.getValue("protocol");
    if (protocol == null) { // required: a server that does not say it speaks this protocol is not taken to
      throw new InvalidChangeException("protocol", "a hello frame needs the server's protocol (this client speaks "
        + SyncProtocol.VERSION + ")");
    }
    if (!Long.valueOf(SyncProtocol.VERSION).equals(integer(protocol))) {
      throw new InvalidChangeException("protocol", "the server speaks protocol " + protocol + ", this client " + SyncProtocol.VERSION);
    }
    Object max = frame.getValue("maxMessageBytes");
    if (max == null) {
      return new Hello(Long.MAX_VALUE);
    }
    if (max instanceof BigInteger big && big.signum() > 0) {
      return new Hello(Long.MAX_VALUE); // more than any request can be
    }
    Long bytes = integer(max);
    if (bytes == null || bytes < 1) { // taken as is, it would refuse every request as too large: ops dropped as rejected
      throw new InvalidChangeException("maxMessageBytes", "must be a positive integer, got " + max);
    }
    return new Hello(bytes);
  }

  private static Result result(WireReader.Frame read) {
    long id = id(read.fields());
    if ("response".equals(read.invalidField())) {
      throw read.invalid().within("response");
    }
    if (read.response() == null) {
      throw new InvalidChangeException("response", "a result frame needs a response object");
    }
    return new Result(id, read.response());
  }

  private static Error error(JsonObject frame) {
    Long id = frame.getValue("id") == null ? null : id(frame);
    Long status = integer(frame.getValue("status"));
    if (status == null || status < 400 || status > 599) { // a guessed status could drop ops as refused (400)
      throw new InvalidChangeException("status", "must be an HTTP error status (400-599), got " + frame.getValue("status"));
    }
    if (!(frame.getValue("error") instanceof JsonObject error) || !(error.getValue("code") instanceof String code)) {
      throw new InvalidChangeException("error.code", "an error frame needs an error object with a code");
    }
    Object message = error.getValue("message");
    return new Error(id, new SyncException(status.intValue(), code, message == null ? "" : String.valueOf(message),
      error.getValue("field") instanceof String f ? f : null, error.getValue("reason") instanceof String r ? r : null));
  }

  private static Changes changes(WireReader.Frame read) {
    JsonObject frame = read.fields();
    if ("changes".equals(read.invalidField())) {
      throw read.invalid();
    }
    List<Change> changes = read.changes();
    if (changes == null) {
      throw new InvalidChangeException("changes", "must be an array");
    }
    // the cursor is stored with the changes and sent back: the same rule as a response's
    String from = SyncProtocol.checkCursor(frame.getValue("from"), "from");
    String cursor = SyncProtocol.checkCursor(frame.getValue("cursor"), "cursor");
    if (from == null || cursor == null) {
      throw new InvalidChangeException(from == null ? "from" : "cursor", "is required in a changes frame");
    }
    Object more = frame.getValue("more");
    if (more != null && !(more instanceof Boolean)) {
      throw new InvalidChangeException("more", "must be a boolean");
    }
    return new Changes(new PushedChanges(from, cursor, changes));
  }

  /** The id of a result or error: this client sends integer ids only, so anything else is none of its requests. */
  private static long id(JsonObject frame) {
    Long id = integer(frame.getValue("id"));
    if (id == null) {
      throw new InvalidChangeException("id", "must be the id of a request of this client, got " + frame.getValue("id"));
    }
    return id;
  }

  static boolean unauthorized(Throwable e) {
    return e instanceof UpgradeRejectedException r && r.getStatus() == 401;
  }

  /** A refused upgrade becomes the server's error (401 → unauthorized); anything else means offline. */
  static Throwable rejection(Throwable e) {
    if (e instanceof UpgradeRejectedException r) {
      try {
        JsonObject error = new JsonObject(r.getBody()).getJsonObject("error");
        return new SyncException(r.getStatus(), error.getString("code"), error.getString("message"), error.getString("field"),
          error.getString("reason"));
      } catch (RuntimeException notJson) {
        return new SyncException(r.getStatus(), "http_" + r.getStatus(), "WebSocket upgrade refused", null);
      }
    }
    return e;
  }

  private static Long integer(Object value) {
    return value instanceof Integer || value instanceof Long ? ((Number) value).longValue() : null;
  }
}

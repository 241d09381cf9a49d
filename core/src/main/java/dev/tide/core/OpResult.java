package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * What the server decided for one pushed op. On the wire: {@code "applied"}, {@code "superseded"}, or
 * {@code {"status":"rejected","code":"...","message":"..."}}. A client treats any other entry as a
 * rejection, so that a newer server never jams an older client's outbox.
 *
 * @param status  the decision
 * @param code    machine-readable reason of a rejection, else null
 * @param message human-readable reason of a rejection, else null
 */
public record OpResult(Status status, String code, String message) {

  public enum Status {
    /** The op's stamp is now the stored one (also when a replay finds its own earlier write). */
    APPLIED,
    /** A newer stamp was already stored: the op lost under last-writer-wins. */
    SUPERSEDED,
    /** The server refused the op (validation, permissions); it will never be applied. */
    REJECTED
  }

  public static final OpResult APPLIED = new OpResult(Status.APPLIED, null, null);
  public static final OpResult SUPERSEDED = new OpResult(Status.SUPERSEDED, null, null);

  public static OpResult rejected(String code, String message) {
    return new OpResult(Status.REJECTED, code, message);
  }

  public Object toJson() {
    return switch (status) {
      case APPLIED -> "applied";
      case SUPERSEDED -> "superseded";
      case REJECTED -> new JsonObject().put("status", "rejected").put("code", code).put("message", message);
    };
  }

  public static OpResult fromJson(Object value) {
    if ("applied".equals(value)) {
      return APPLIED;
    }
    if ("superseded".equals(value)) {
      return SUPERSEDED;
    }
    if (value instanceof JsonObject o && "rejected".equals(o.getValue("status"))) {
      return rejected(String.valueOf(o.getValue("code")), String.valueOf(o.getValue("message")));
    }
    return rejected("unknown_result", "unrecognised result " + value);
  }
}

package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * What the server decided for one pushed op. On the wire: {@code "applied"}, {@code "superseded"},
 * {@code {"status":"rejected","code":"...","message":"..."}} or {@code {"status":"restamp","above":N}}.
 * A client treats any other entry as a rejection, so that a newer server never jams an older client's
 * outbox.
 *
 * @param status  the decision
 * @param code    machine-readable reason of a rejection, else null
 * @param message human-readable reason of a rejection, else null
 * @param above   for {@link Status#RESTAMP}: the counter the op's new stamp must be above, else 0
 */
public record OpResult(Status status, String code, String message, long above) {

  public enum Status {
    /** The op's stamp is now the stored one (also when a replay finds its own earlier write). */
    APPLIED,
    /** A newer stamp was already stored: the op lost under last-writer-wins. */
    SUPERSEDED,
    /** The server refused the op (validation, permissions); it will never be applied. */
    REJECTED,
    /**
     * Not applied, but wanted under a higher stamp: the op's counter is at or below that of a delete
     * the server no longer holds (a purged tombstone), or its stamp is stored with another state (its
     * writer's clock went back). The writer stamps it again above {@link #above()} and pushes it again.
     */
    RESTAMP
  }

  public static final OpResult APPLIED = new OpResult(Status.APPLIED, null, null, 0);
  public static final OpResult SUPERSEDED = new OpResult(Status.SUPERSEDED, null, null, 0);

  public static OpResult rejected(String code, String message) {
    return new OpResult(Status.REJECTED, code, message, 0);
  }

  /** Push the op again under a stamp whose counter is above {@code counter}. */
  public static OpResult restamp(long counter) {
    return new OpResult(Status.RESTAMP, null, null, counter);
  }

  public Object toJson() {
    return switch (status) {
      case APPLIED -> "applied";
      case SUPERSEDED -> "superseded";
      case REJECTED -> new JsonObject().put("status", "rejected").put("code", code).put("message", message);
      case RESTAMP -> new JsonObject().put("status", "restamp").put("above", above);
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
    if (value instanceof JsonObject o && "restamp".equals(o.getValue("status")) && o.getValue("above") instanceof Number n
      && (n instanceof Integer || n instanceof Long) && n.longValue() >= 0 && n.longValue() < Stamp.MAX_COUNTER) {
      return restamp(n.longValue());
    }
    return rejected("unknown_result", "unrecognised result " + value);
  }
}

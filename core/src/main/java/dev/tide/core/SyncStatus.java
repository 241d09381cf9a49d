package dev.tide.core;

import io.vertx.core.json.JsonObject;

/**
 * The sync state of a client, as returned by {@link Tide#syncStatus()} and published (as JSON) on
 * {@code <prefix>.sync.status} whenever it changes.
 *
 * @param state         what sync is doing
 * @param pending       local writes not yet acknowledged by the server
 * @param lastSuccessAt epoch millis of the last successful sync, or 0
 * @param lastError     the last failure's message, or null once a sync succeeds
 * @param pulled        changes received by the current (or last) sync
 * @param remaining     the server's estimate of changes still to pull
 * @param caughtUp      true once a sync has pulled everything there was (the initial sync is done)
 */
public record SyncStatus(State state, long pending, long lastSuccessAt, String lastError, long pulled, long remaining,
                         boolean caughtUp) {

  public enum State {
    /** Not syncing right now; the last sync (if any) succeeded. */
    IDLE,
    SYNCING,
    /** The server could not be reached; retrying with backoff. */
    OFFLINE,
    /** The server refused the credentials, even after a header refresh; retrying with backoff. */
    UNAUTHORIZED,
    /** The server answered with an error; retrying with backoff. */
    ERROR
  }

  public JsonObject toJson() {
    return new JsonObject().put("state", state.name().toLowerCase(java.util.Locale.ROOT)).put("pending", pending)
      .put("lastSuccessAt", lastSuccessAt).put("lastError", lastError).put("pulled", pulled).put("remaining", remaining)
      .put("caughtUp", caughtUp);
  }

  public static SyncStatus fromJson(JsonObject json) {
    return new SyncStatus(State.valueOf(json.getString("state").toUpperCase(java.util.Locale.ROOT)), json.getLong("pending", 0L),
      json.getLong("lastSuccessAt", 0L), json.getString("lastError"), json.getLong("pulled", 0L), json.getLong("remaining", 0L),
      json.getBoolean("caughtUp", false));
  }
}

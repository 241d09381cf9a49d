package dev.tide.core;

/** Where a committed change came from: a write of this store, or a change pulled from the server. */
public enum ChangeSource {
  LOCAL("local"), REMOTE("remote");

  private final String json;

  ChangeSource(String json) {
    this.json = json;
  }

  /** The lower-case name used in JSON ({@code "local"} / {@code "remote"}). */
  public String toJson() {
    return json;
  }

  public static ChangeSource fromJson(String value) {
    for (ChangeSource s : values()) {
      if (s.json.equals(value)) {
        return s;
      }
    }
    throw new InvalidChangeException("source", "must be \"local\" or \"remote\"");
  }
}

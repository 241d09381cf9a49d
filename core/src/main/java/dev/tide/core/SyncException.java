package dev.tide.core;

/**
 * The server answered an exchange with an error: HTTP-style {@link #status()}, the machine
 * {@link #code()} and message of its {@code {"error":{...}}} body, and, for invalid input, the
 * {@link #field()} at fault (e.g. {@code ops[3].doc}).
 */
public class SyncException extends TideException {

  private final int status;
  private final String code;
  private final String field;

  public SyncException(int status, String code, String message, String field) {
    super(status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}

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
  private final String reason;
  private final long retryAfterSeconds;
  private final String serverMessage;

  public SyncException(int status, String code, String message, String field) {
    this(status, code, message, field, null);
  }

  public SyncException(int status, String code, String message, String field, String reason) {
    this(status, code, message, field, reason, -1);
  }

  /** @param retryAfterSeconds the server's {@code Retry-After} (on 429 busy), or -1 */
  public SyncException(int status, String code, String message, String field, String reason, long retryAfterSeconds) {
    super(status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
    this.serverMessage = message;
  }

  /** The message of the server's error body, without the status and code that {@link #getMessage()} adds. */
  public String serverMessage() {
    return serverMessage;
  }

  /**
   * The server sent what breaks the protocol (a body or frame that is not JSON, a field missing or of the
   * wrong type, an answer to no request): {@code 502 protocol_error}, as a gateway reports a faulty
   * upstream. Nothing of it was applied; the client retries after a backoff.
   */
  public static SyncException protocolError(String problem) {
    return new SyncException(502, PROTOCOL_ERROR, problem, null);
  }

  /** The code of {@link #protocolError}. */
  public static final String PROTOCOL_ERROR = "protocol_error";

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

  /** A finer machine code, e.g. why a reset is required ({@code history_purged}, {@code database_changed}), or null. */
  public String reason() {
    return reason;
  }

  /** How long the server asked the client to wait before retrying ({@code Retry-After}), or -1 if it did not say. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}

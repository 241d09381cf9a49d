package dev.tide.core;

/**
 * Bad input: a collection name, id, document, stamp or wire message that does not meet the rules of
 * {@link ChangeCodec}. Nothing was written. {@link #field()} names the offending field
 * (e.g. {@code "stamp.counter"}, {@code "ops[3].doc"}).
 */
public class InvalidChangeException extends TideException {

  private final String field;

  public InvalidChangeException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }

  /** The same error with its field qualified by a prefix, e.g. {@code ops[3]}. */
  public InvalidChangeException within(String prefix) {
    InvalidChangeException e = new InvalidChangeException(prefix + "." + field, getMessage().substring(field.length() + 2));
    e.setStackTrace(getStackTrace());
    return e;
  }
}

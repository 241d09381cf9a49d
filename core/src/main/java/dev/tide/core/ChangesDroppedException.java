package dev.tide.core;

/**
 * Reported to a {@link ChangeStream}'s exception handler when changes were dropped because the stream
 * was paused with its buffer full ({@link ChangeStream#DEFAULT_MAX_BUFFERED}): the changes delivered
 * after it are newer than the gap. Read the store again (e.g. {@link TideCollection#list()}) to catch up.
 */
public final class ChangesDroppedException extends TideException {

  private final long dropped;

  public ChangesDroppedException(long dropped) {
    super(dropped + " changes were dropped while the stream was paused with a full buffer");
    this.dropped = dropped;
  }

  /** How many changes were dropped. */
  public long dropped() {
    return dropped;
  }
}

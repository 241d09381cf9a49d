package dev.tide.server.impl;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This server's cursors: {@code <epoch>.<sequence>}, or {@code <epoch>.<sequence>.<purged>} once
 * tombstones were purged; opaque to clients (PROTOCOL.md, "Cursors"). {@code purged} is the purged
 * sequence when the cursor was handed out: a cursor below the purged sequence is refused only if a
 * purge happened since, so a client paging through a server that purged long ago is not sent back.
 */
final class Cursors {

  private static final Pattern FORM = Pattern.compile("([A-Za-z0-9_-]{1,64})\\.([0-9]{1,18})(?:\\.([0-9]{1,18}))?");

  /** A position in the change sequence, and the purged sequence in the snapshot it was read from. */
  record Position(long seq, long purgedSeq) {
  }

  private Cursors() {
  }

  static String format(String epoch, Position position) {
    return position.purgedSeq() == 0 ? epoch + "." + position.seq() : epoch + "." + position.seq() + "." + position.purgedSeq();
  }

  /**
   * True if tombstones the holder of a position may not have seen were purged after it was handed out:
   * the position is below the purged sequence, and the purged sequence has moved since.
   */
  static boolean purgedSince(Position position, long purgedSeq) {
    return position.seq() < purgedSeq && position.purgedSeq() < purgedSeq;
  }

  /**
   * The position a cursor stands for (a null cursor: the start): 400 if malformed; 409
   * {@code reset_required} if from another database or ahead of this one ({@code reason:
   * database_changed}), or if deletes it had not seen were purged since ({@code reason: history_purged}).
   */
  static Position parse(String cursor, String epoch, long lastSeq, long purgedSeq) {
    if (cursor == null) {
      return new Position(0, purgedSeq);
    }
    Matcher m = FORM.matcher(cursor);
    if (!m.matches()) {
      throw new HttpError(400, "invalid_cursor", "cursor is not a cursor of this server", "cursor");
    }
    Position position = new Position(Long.parseLong(m.group(2)), m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
    if (!m.group(1).equals(epoch)) {
      throw new HttpError(409, "reset_required", "cursor belongs to another database: pull again from a null cursor",
        "cursor", "database_changed");
    }
    if (position.seq() > lastSeq || position.purgedSeq() > purgedSeq) {
      throw new HttpError(409, "reset_required", "cursor is ahead of this database (restored from a backup?): pull again"
        + " from a null cursor", "cursor", "database_changed");
    }
    if (purgedSince(position, purgedSeq)) {
      throw historyPurged();
    }
    return position;
  }

  /** True if {@code cursor} is one of this database's, ahead of what this server knows of it (see {@link #parse}). */
  static boolean ahead(String cursor, String epoch, long lastSeq, long purgedSeq) {
    Matcher m = cursor == null ? null : FORM.matcher(cursor);
    if (m == null || !m.matches() || !m.group(1).equals(epoch)) {
      return false;
    }
    return Long.parseLong(m.group(2)) > lastSeq || (m.group(3) != null && Long.parseLong(m.group(3)) > purgedSeq);
  }

  static HttpError historyPurged() {
    return new HttpError(409, "reset_required", "cursor is older than the retained history of deletes: pull everything"
      + " again from a null cursor", "cursor", "history_purged");
  }
}

package dev.tide.server.impl;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** This server's cursors: {@code <epoch>.<sequence>}, opaque to clients (PROTOCOL.md, "Cursors"). */
final class Cursors {

  private static final Pattern FORM = Pattern.compile("([A-Za-z0-9_-]{1,64})\\.([0-9]{1,18})");

  private Cursors() {
  }

  static String format(String epoch, long seq) {
    return epoch + "." + seq;
  }

  /**
   * The sequence a cursor stands for: 400 if malformed; 409 {@code reset_required} if from another
   * database or ahead of this one ({@code reason: database_changed}), or older than the retained
   * history of deletes ({@code reason: history_purged}).
   */
  static long parse(String cursor, String epoch, long lastSeq, long purgedSeq) {
    if (cursor == null) {
      return 0;
    }
    Matcher m = FORM.matcher(cursor);
    if (!m.matches()) {
      throw new HttpError(400, "invalid_cursor", "cursor is not a cursor of this server", "cursor");
    }
    long seq = Long.parseLong(m.group(2));
    if (!m.group(1).equals(epoch)) {
      throw new HttpError(409, "reset_required", "cursor belongs to another database: pull again from a null cursor",
        "cursor", "database_changed");
    }
    if (seq > lastSeq) {
      throw new HttpError(409, "reset_required", "cursor is ahead of this database (restored from a backup?): pull again"
        + " from a null cursor", "cursor", "database_changed");
    }
    if (seq < purgedSeq) {
      throw new HttpError(409, "reset_required", "cursor is older than the retained history of deletes: pull everything"
        + " again from a null cursor", "cursor", "history_purged");
    }
    return seq;
  }
}

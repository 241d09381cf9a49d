package dev.tide.server.spi;

import java.util.List;
import java.util.Map;

/**
 * One commit, as {@link ChangeSignal} reports it: the committed change sequence moved from
 * {@code fromSeq} to {@code toSeq}. When the backend knows what the commit wrote, {@code byNamespace}
 * holds it: every change with a sequence in (fromSeq, toSeq], each document once at its newest
 * sequence, in sequence order, by namespace. The server then answers a pull from {@code fromSeq} right
 * after the commit (the pushing client's own exchange, live pushes to clients that were caught up)
 * without reading the store. A backend that learns of a commit only by its sequence (another
 * instance's, over PostgreSQL LISTEN/NOTIFY) passes {@code null}, and those pulls read the store.
 *
 * @param fromSeq     the highest committed sequence before this commit
 * @param toSeq       the highest committed sequence after it
 * @param byNamespace what it wrote, or null when not known
 */
public record CommittedChanges(long fromSeq, long toSeq, Map<String, List<StoredChange>> byNamespace) {

  /** A commit known only by the sequence it reached. */
  public static CommittedChanges unknown(long toSeq) {
    return new CommittedChanges(-1, toSeq, null);
  }
}

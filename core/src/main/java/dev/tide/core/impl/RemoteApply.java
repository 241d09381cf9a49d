package dev.tide.core.impl;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import io.vertx.core.Context;

import java.sql.SQLException;
import java.util.List;

/**
 * Applies changes pulled from the server under last-writer-wins, and the new sync cursor, in one
 * transaction: after a crash either both are there or neither, so a pull resumes without gaps.
 * Only the changes that won are published (as {@link ChangeSource#REMOTE}).
 */
final class RemoteApply extends WriteTask<WriterStore, Integer> {

  private final List<Change> changes;
  private final String cursor;

  RemoteApply(Context context, List<Change> changes, String cursor) {
    super(context);
    this.changes = changes;
    this.cursor = cursor;
  }

  @Override
  protected Integer run(WriterStore store, List<Change> events) throws SQLException {
    int applied = 0;
    for (Change c : changes) {
      String body = c.deleted() ? null : c.doc().encode();
      if (store.applyRemote(c, body)) {
        applied++;
        events.add(c.source() == ChangeSource.REMOTE ? c
          : new Change(c.collection(), c.id(), c.stamp(), c.doc(), ChangeSource.REMOTE));
      }
    }
    if (cursor != null) {
      store.setCursor(cursor);
    }
    return applied;
  }

  @Override
  protected int weight() {
    return Math.max(1, changes.size());
  }
}

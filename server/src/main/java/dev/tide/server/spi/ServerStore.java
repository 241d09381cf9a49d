package dev.tide.server.spi;

import dev.tide.core.Change;
import dev.tide.core.OpResult;
import io.vertx.core.Future;

import java.util.List;

/**
 * The server's storage: documents keyed by (namespace, collection, id) with their stamp and a change
 * sequence. The embedded default is SQLite; other backends (PostgreSQL) implement the same contract.
 * <p>
 * Namespaces keep the door open for per-principal data: every call names one (the server passes
 * {@code ""} while data is not scoped).
 */
public interface ServerStore {

  /** Identifies this database; part of every cursor, so cursors of another database are detected. */
  String epoch();

  /** The highest change sequence committed so far (0 when empty). */
  long lastSeq();

  /**
   * The highest change sequence of a purged tombstone (0 if none). A client whose cursor is below it
   * may have missed deletes and must pull everything again ({@code 409 reset_required}).
   */
  long purgedSeq();

  /**
   * Reads {@link #lastSeq()} and {@link #purgedSeq()} again from the database, when a client's cursor is
   * ahead of them: with several server instances on one database, a cursor another instance handed out may
   * be ahead of what this one has heard of yet. The server then checks the cursor again; only a cursor
   * still ahead is refused as {@code database_changed}. A store that learns of every commit at once (the
   * embedded SQLite store) has nothing to read.
   */
  default Future<Void> refresh() {
    return Future.succeededFuture();
  }

  /** Deletes tombstones committed before {@code committedBeforeMillis} (epoch ms); completes with how many. */
  Future<Long> purgeTombstones(long committedBeforeMillis);

  /**
   * Applies ops under last-writer-wins, all in one transaction, and completes after COMMIT with one
   * result per op: applied (stamp now stored, also for a replay of the same stamp) or superseded.
   */
  Future<List<OpResult>> push(String namespace, List<Change> ops);

  /**
   * Reads committed changes with sequence above {@code afterSeq}, in sequence order, skipping those
   * whose stamp's node is {@code excludeNode} (null: none): at most {@code limit} changes and about
   * {@code maxBytes} (at least one change if one is due). The page's position covers the skipped
   * changes too: when it is not full, it is the highest sequence the read saw.
   */
  Future<PullPage> pull(String namespace, long afterSeq, String excludeNode, int limit, int maxBytes);

  /** Fires after each commit that changed data (possibly from another server instance sharing the database). */
  ChangeSignal signal();

  Future<Void> close();
}

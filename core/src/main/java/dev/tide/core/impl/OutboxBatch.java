package dev.tide.core.impl;

import dev.tide.core.Change;

import java.util.List;

/**
 * The oldest outbox entries as ops to push ({@link OutboxQuery}).
 *
 * @param ops        the ops, oldest first
 * @param maxCounter the counter of the last entry read (0 if none): acknowledging removes up to it
 * @param full       true if the batch stopped at a limit, so more entries may follow
 */
record OutboxBatch(List<Change> ops, long maxCounter, boolean full) {
}

package dev.tide.server.spi;

import java.util.List;

/**
 * One page of a pull.
 *
 * @param changes the changes to send, in sequence order
 * @param lastSeq the position after this page: every change up to it was sent or skipped as the
 *                client's own; the request's position when there was nothing after it
 * @param more    true if changes after {@code lastSeq} are due
 * @param purgedSeq {@link ServerStore#purgedSeq()} as committed in the snapshot the page was read from
 *                (or lower): the cursor carries it, so that a purge after the page is told from one before
 */
public record PullPage(List<StoredChange> changes, long lastSeq, boolean more, long purgedSeq) {
}

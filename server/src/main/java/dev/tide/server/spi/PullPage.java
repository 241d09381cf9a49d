package dev.tide.server.spi;

import java.util.List;

/**
 * One page of a pull.
 *
 * @param changes the changes to send, in sequence order
 * @param lastSeq the position after this page: every change up to it was sent or skipped as the
 *                client's own; the request's position when there was nothing after it
 * @param more    true if changes after {@code lastSeq} are due
 */
public record PullPage(List<StoredChange> changes, long lastSeq, boolean more) {
}

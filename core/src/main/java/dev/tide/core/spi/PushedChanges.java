package dev.tide.core.spi;

import dev.tide.core.Change;

import java.util.List;

/**
 * Changes the server sent without being asked (WebSocket push). They continue the client's position:
 * {@code from} is the cursor they follow; the client applies them only if it is at {@code from},
 * otherwise it syncs instead, so a gap can never be skipped.
 *
 * @param from    the cursor these changes follow
 * @param cursor  the cursor after them
 * @param changes in commit order
 */
public record PushedChanges(String from, String cursor, List<Change> changes) {
}

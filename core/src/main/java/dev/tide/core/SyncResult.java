package dev.tide.core;

/**
 * What one {@link Tide#syncOnce()} did.
 *
 * @param exchanges requests made
 * @param pushed    ops sent and acknowledged
 * @param rejected  ops the server rejected (dropped from the outbox, reported on {@code <prefix>.sync.rejected})
 * @param pulled    changes received
 * @param applied   received changes that won locally and were written
 * @param cursor    the cursor after the sync
 */
public record SyncResult(int exchanges, int pushed, int rejected, int pulled, int applied, String cursor) {
}

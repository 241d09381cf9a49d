package dev.tide.core;

/**
 * SQLite's {@code PRAGMA synchronous} for the store, in WAL mode.
 * <ul>
 *   <li>{@link #NORMAL} (default): a committed write survives a crash of the app or JVM; the last
 *   transactions before an OS crash or power loss may be rolled back (never corrupted).</li>
 *   <li>{@link #FULL}: every commit is fsynced, so it also survives power loss; commits are slower.</li>
 * </ul>
 */
public enum Synchronous {
  NORMAL, FULL
}

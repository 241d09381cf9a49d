package dev.tide.server.impl;

import dev.tide.core.StoreException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The PostgreSQL server store's schema, created in the connection's current schema (its
 * {@code search_path}) by whichever instance opens it first:
 * <pre>
 * tide_server_meta: one row (id 1): schema_version, epoch, last_seq (the highest committed sequence),
 *     purged_seq and purged_counter (of purged tombstones), max_counter (the clock bound's base)
 * tide_server_docs(ns, collection, id, counter, node, deleted, body, seq, committed_at)
 *     PRIMARY KEY (ns, collection, id); INDEX (ns, seq) INCLUDE (node); partial INDEX (committed_at) WHERE deleted
 * </pre>
 * Text keys and node ids use the "C" collation: byte order is the protocol's order of node ids (a
 * language collation would order stamps differently from every client and from the SQLite store).
 * The meta row is the writers' lock: every push locks it first, so sequences are committed in order.
 */
final class PgSchema {

  static final int VERSION = 1;
  private static final long DDL_LOCK = 0x7469646573657276L; // "tideserv": instances opening at once create it once

  /** What the meta row held when the store opened. */
  record Meta(String epoch, String schema, long lastSeq, long purgedSeq) {
  }

  private PgSchema() {
  }

  /**
   * Creates the tables if missing (and the URL's {@code search_path} schema, named by {@code schema}, or
   * null), refuses a newer schema version, and reads the meta row.
   */
  static Future<Meta> open(Pool pool, String schema) {
    // a role that only reads and writes data can start once the tables exist: CREATE ... IF NOT EXISTS
    // checks the privilege to create first
    return pool.query("SELECT to_regclass('tide_server_meta') IS NOT NULL AND to_regclass('tide_server_docs') IS NOT NULL,"
      + " current_setting('server_encoding')").execute().compose(rows -> {
        Row row = rows.iterator().next();
        if (!"UTF8".equals(row.getString(1))) { // page budgets count UTF-8 bytes, and documents must store as they came
          return Future.failedFuture(new StoreException("the PostgreSQL database's encoding is " + row.getString(1)
            + ": tide needs a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')"));
        }
        return row.getBoolean(0) ? Future.succeededFuture() : create(pool, schema);
      })
      .compose(v -> pool.query("SELECT schema_version, epoch, last_seq, purged_seq, current_schema() FROM tide_server_meta"
        + " WHERE id = 1").execute())
      .compose(rows -> {
        Row row = rows.iterator().next();
        int version = row.getInteger(0);
        if (version > VERSION) {
          return Future.failedFuture(new StoreException("the PostgreSQL tables are of tide server schema version " + version
            + ", newer than this server reads (" + VERSION + "): run a newer tide server"));
        }
        return Future.succeededFuture(new Meta(row.getString(1), row.getString(4), row.getLong(2), row.getLong(3)));
      });
  }

  /**
   * The schema a URL's {@code search_path} names first, to create if missing (a user's first run with
   * {@code ?search_path=tide} works); null if none, or if it is not a plain name ({@code "$user"}, quoted).
   */
  static String searchPathSchema(String searchPath) {
    if (searchPath == null) {
      return null;
    }
    String first = searchPath.split(",")[0].trim();
    return first.matches("[A-Za-z_][A-Za-z0-9_]{0,62}") ? first.toLowerCase(java.util.Locale.ROOT) : null; // unquoted names fold to lower case
  }

  private static Future<Void> create(Pool pool, String schema) {
    String createSchema = schema == null ? "SELECT 1" : "CREATE SCHEMA IF NOT EXISTS \"" + schema.replace("\"", "\"\"") + "\"";
    return pool.withTransaction(conn -> conn.query("SELECT pg_advisory_xact_lock(" + DDL_LOCK + ")").execute()
      // "already exists, skipping" notices would be logged as warnings by every instance that starts at once
      .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
      .compose(v -> conn.query(createSchema).execute())
      .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS tide_server_meta(id integer PRIMARY KEY CHECK (id = 1),"
        + " schema_version integer NOT NULL, epoch text NOT NULL, last_seq bigint NOT NULL, purged_seq bigint NOT NULL,"
        + " purged_counter bigint NOT NULL, max_counter bigint NOT NULL)").execute())
      .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS tide_server_docs(ns text COLLATE \"C\" NOT NULL,"
        + " collection text COLLATE \"C\" NOT NULL, id text COLLATE \"C\" NOT NULL, counter bigint NOT NULL,"
        + " node text COLLATE \"C\" NOT NULL, deleted boolean NOT NULL, body text, seq bigint NOT NULL,"
        + " committed_at bigint NOT NULL, PRIMARY KEY (ns, collection, id))").execute())
      .compose(v -> conn.query("CREATE INDEX IF NOT EXISTS tide_server_docs_seq ON tide_server_docs(ns, seq) INCLUDE (node)").execute())
      .compose(v -> conn.query("CREATE INDEX IF NOT EXISTS tide_server_tombstones ON tide_server_docs(committed_at)"
        + " WHERE deleted").execute())
      .compose(v -> conn.preparedQuery("INSERT INTO tide_server_meta VALUES (1, $1, $2, 0, 0, 0, 0) ON CONFLICT (id) DO NOTHING")
        .execute(Tuple.of(VERSION, newEpoch())))
      .mapEmpty());
  }

  private static String newEpoch() {
    byte[] bytes = new byte[9];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The LISTEN/NOTIFY channel of the tables in {@code schema}: instances on other schemas are not woken. */
  static String channel(String schema) {
    // at most 63 bytes, or PostgreSQL cuts LISTEN's name and refuses pg_notify's: a long or non-ASCII schema name is hashed
    return schema.matches("[A-Za-z0-9_]{1,48}") ? "tide_changes_" + schema
      : "tide_changes_h" + Integer.toHexString(schema.hashCode());
  }
}

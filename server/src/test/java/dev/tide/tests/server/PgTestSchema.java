package dev.tide.tests.server;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Assumptions;

import java.util.UUID;

/**
 * A schema of its own in the test PostgreSQL database, dropped on close. The database is
 * {@code TIDE_TEST_POSTGRES_URL} when set (CI sets it: the tests must run there), else the local default
 * {@code postgresql://postgres@127.0.0.1:5432/test}, and the PostgreSQL tests are skipped if nothing answers there.
 */
public final class PgTestSchema implements AutoCloseable {

  static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private final Vertx vertx;
  private final String base;
  public final String name;

  private PgTestSchema(Vertx vertx, String base, String name) {
    this.vertx = vertx;
    this.base = base;
    this.name = name;
  }

  public static PgTestSchema create(Vertx vertx) {
    String configured = System.getenv("TIDE_TEST_POSTGRES_URL");
    String base = configured != null && !configured.isBlank() ? configured : DEFAULT_URL;
    String name = "tide_test_" + UUID.randomUUID().toString().replace("-", "");
    try {
      run(vertx, base, "CREATE SCHEMA " + name);
    } catch (RuntimeException e) {
      if (configured == null) {
        Assumptions.abort("no PostgreSQL at " + base + " (" + e.getMessage() + "): set TIDE_TEST_POSTGRES_URL to run these tests");
      }
      throw new AssertionError("cannot reach TIDE_TEST_POSTGRES_URL " + base + ": " + e.getMessage(), e);
    }
    return new PgTestSchema(vertx, base, name);
  }

  /** The database's URL, without a schema. */
  public String base() {
    return base;
  }

  /** The URL a server uses to keep its tables in this schema. */
  public String url() {
    return base + (base.contains("?") ? "&" : "?") + "search_path=" + name;
  }

  /** The database's port; its host must be loopback for {@link #urlVia}. */
  public int port() {
    return PgConnectOptions.fromUri(base).getPort();
  }

  /** {@link #url()} through a proxy on 127.0.0.1:{@code port} (a test's FaultProxy in front of the database). */
  public String urlVia(int port) {
    return url().replaceFirst("^(?<head>postgres(ql)?://([^@/]*@)?)[^/?]*", "${head}127.0.0.1:" + port);
  }

  /** Runs a statement in this schema. */
  public void sql(String statement) {
    run(vertx, url(), statement);
  }

  /** The first column of the first row a query in this schema returns, as text. */
  public String value(String query) {
    return String.valueOf(run(vertx, url(), query).iterator().next().getValue(0));
  }

  private static io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> run(Vertx vertx, String url, String statement) {
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
    try {
      return pool.query(statement).execute().await();
    } finally {
      pool.close().await();
    }
  }

  @Override
  public void close() {
    run(vertx, base, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
  }
}

package dev.tide.tests.server;

import dev.tide.server.TideServerMain;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where tide-server's settings come from, run as `java -jar` would: a child JVM with its own environment. */
class ServerMainSettingsTest {

  @TempDir
  Path dir;

  /** How a child ended, or the line it printed on listening (then it was stopped). */
  private record Outcome(int exit, String out) {
  }

  /**
   * Runs the server with this environment; stops it (SIGTERM) once it prints its "listening" line.
   * Its output is read as it comes, so a server that starts is not left waiting.
   */
  private static Outcome run(Map<String, String> env, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), TideServerMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("TIDE_")); // only what the test sets
    builder.environment().putAll(env);
    Process p = builder.start();
    CompletableFuture<String> listening = new CompletableFuture<>();
    StringBuilder out = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (out) {
            out.append(line).append('\n');
          }
          if (line.contains("listening on")) {
            listening.complete(line);
            p.destroy(); // SIGTERM: a clean stop
          }
        }
      } catch (Exception ignored) {
        // the process is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server must start or refuse within a minute");
    reader.join(TimeUnit.SECONDS.toMillis(10));
    synchronized (out) {
      return new Outcome(p.exitValue(), listening.isDone() ? listening.get() : out.toString());
    }
  }

  /**
   * A flag wins over its environment variable, which then is not read at all: a stale TIDE_PORT (or an
   * empty TIDE_HOST, an in-memory TIDE_DB) left in the shell made a correct `--port 0` a usage error.
   */
  @Test
  void aFlagOverridesItsEnvironmentVariableWithoutReadingIt() throws Exception {
    Path db = dir.resolve("flags.db");
    Outcome o = run(Map.of("TIDE_PORT", "not-a-port", "TIDE_HOST", "", "TIDE_DB", ":memory:"),
      "--host", "127.0.0.1", "--port", "0", "--db", db.toString());
    assertTrue(o.out.matches("tide server listening on http://127\\.0\\.0\\.1:\\d+ \\(db " + java.util.regex.Pattern.quote(db.toString()) + "\\)"),
      o.out);
    assertTrue(Files.exists(db), "the flag's database is the one opened");
  }

  /** An IPv6 host is printed in brackets: "http://::1:8000" is not a URL a user can open or paste. */
  @Test
  void anIpv6HostIsPrintedAsAUrl() throws Exception {
    Path db = dir.resolve("v6.db");
    Outcome o = run(Map.of(), "--host", "::1", "--port", "0", "--db", db.toString());
    assertTrue(o.out.matches("tide server listening on http://\\[::1]:\\d+ \\(db " + java.util.regex.Pattern.quote(db.toString()) + "\\)"),
      o.out);
  }

  /** The environment overrides the --config file (README: defaults, --config, environment, flags). */
  @Test
  void theEnvironmentOverridesTheConfigFile() throws Exception {
    Path config = dir.resolve("server.json");
    Files.writeString(config, new JsonObject().put("port", 1).put("dbPath", dir.resolve("config.db").toString()).encode());
    Path db = dir.resolve("env.db");
    Outcome o = run(Map.of("TIDE_PORT", "0", "TIDE_DB", db.toString()), "--config", config.toString());
    assertTrue(o.out.matches("tide server listening on http://127\\.0\\.0\\.1:\\d+ \\(db " + java.util.regex.Pattern.quote(db.toString()) + "\\)"),
      o.out);
  }

  /**
   * PostgreSQL from --postgres, TIDE_POSTGRES_URL or the config file's postgresUrl: the server creates its
   * tables there and prints the URL without its password; a URL it cannot read is a usage error that does
   * not echo the password either.
   */
  @Test
  void postgresFromFlagEnvironmentAndConfig() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try (PgTestSchema flag = PgTestSchema.create(vertx); PgTestSchema env = PgTestSchema.create(vertx);
         PgTestSchema config = PgTestSchema.create(vertx)) {
      Outcome o = run(Map.of(), "--port", "0", "--postgres", flag.url());
      assertTrue(o.out.matches("tide server listening on http://127\\.0\\.0\\.1:\\d+ \\(postgres "
        + java.util.regex.Pattern.quote(flag.url()) + "\\)"), o.out);
      assertEquals("1", flag.value("SELECT count(*) FROM tide_server_meta"));

      String withPassword = env.url().replace("postgresql://postgres@", "postgresql://postgres:hunter2@");
      o = run(Map.of("TIDE_POSTGRES_URL", withPassword), "--port", "0");
      assertTrue(o.out.contains("(postgres postgresql://postgres:***@127.0.0.1"), o.out);
      assertTrue(!o.out.contains("hunter2"), o.out);
      assertEquals("1", env.value("SELECT count(*) FROM tide_server_meta"));

      Path file = dir.resolve("pg.json");
      Files.writeString(file, new JsonObject().put("postgresUrl", config.url()).put("postgresPoolSize", 2).put("port", 0).encode());
      o = run(Map.of(), "--config", file.toString());
      assertTrue(o.out.contains("(postgres " + config.url() + ")"), o.out);
      assertEquals("1", config.value("SELECT count(*) FROM tide_server_meta"));
    } finally {
      vertx.close().await();
    }
    Outcome bad = run(Map.of(), "--port", "0", "--postgres", "mysql://u:hunter2@127.0.0.1/db");
    assertEquals(2, bad.exit, bad.out);
    assertTrue(bad.out.startsWith("tide-server: postgresUrl must be a URL postgresql://"), bad.out);
    assertTrue(!bad.out.contains("hunter2"), bad.out);
    // the store is chosen as any setting is: a flag (or the environment) over the config file and the environment
    Path db = dir.resolve("flag-over-env.db");
    Outcome flagWins = run(Map.of("TIDE_POSTGRES_URL", "postgresql://u:hunter2@127.0.0.1:1/x"), "--port", "0", "--db", db.toString());
    assertTrue(flagWins.out.endsWith("(db " + db + ")"), flagWins.out);
    Path pgConfig = dir.resolve("pg-config.json");
    Files.writeString(pgConfig, new JsonObject().put("postgresUrl", "postgresql://127.0.0.1:1/x").encode());
    Path envDb = dir.resolve("env-over-config.db");
    Outcome envWins = run(Map.of("TIDE_DB", envDb.toString()), "--port", "0", "--config", pgConfig.toString());
    assertTrue(envWins.out.endsWith("(db " + envDb + ")"), envWins.out);
    Outcome twoEnv = run(Map.of("TIDE_DB", envDb.toString(), "TIDE_POSTGRES_URL", "postgresql://127.0.0.1/x"), "--port", "0");
    assertEquals(2, twoEnv.exit, twoEnv.out);
    Outcome queryPassword = run(Map.of(), "--port", "0", "--postgres", "postgresql://127.0.0.1:1/x?user=u&password=hunter2");
    assertEquals(1, queryPassword.exit, queryPassword.out); // nothing listens on port 1: cannot start
    assertTrue(!queryPassword.out.contains("hunter2"), queryPassword.out);
    Outcome both = run(Map.of(), "--db", dir.resolve("x.db").toString(), "--postgres", "postgresql://127.0.0.1/test");
    assertEquals(2, both.exit, both.out);
    assertTrue(both.out.startsWith("tide-server: --db and --postgres name two stores: give one"), both.out);
  }

  /**
   * A bad value from the environment names its variable (exit 2): "not a port: abc" alone left the user
   * looking at a command line that has no port on it.
   */
  @Test
  void aBadEnvironmentVariableIsNamed() throws Exception {
    String db = dir.resolve("named.db").toString();
    Outcome port = run(Map.of("TIDE_PORT", "abc"), "--db", db);
    Outcome host = run(Map.of("TIDE_HOST", ""), "--port", "0", "--db", db);
    Outcome file = run(Map.of("TIDE_DB", ":memory:"), "--port", "0");
    for (Outcome o : List.of(port, host, file)) {
      assertEquals(2, o.exit, o.out);
    }
    assertTrue(port.out.startsWith("tide-server: not a port: abc (from TIDE_PORT in the environment)\n"), port.out);
    assertTrue(host.out.startsWith("tide-server: host must not be empty, got \"\" (from TIDE_HOST in the environment)\n"), host.out);
    assertTrue(file.out.startsWith("tide-server: dbPath must be a file's path (not an in-memory database or an SQLite URI),"
      + " got \":memory:\" (from TIDE_DB in the environment)\n"), file.out);
  }

  /**
   * TLS from the --config file's ssl (TideServerOptions): tide-server listens on https. A mistyped ssl field is a
   * usage error naming it (Vert.x's converter would have dropped it, serving without the setting).
   */
  @Test
  void tlsFromTheConfigFile() throws Exception {
    dev.tide.tests.core.TestCertificates.Certificate cert = dev.tide.tests.core.TestCertificates.create(dir, "ip:127.0.0.1");
    JsonObject ssl = new JsonObject().put("pfxKeyCertOptions", new JsonObject().put("path", cert.p12().toString())
      .put("password", dev.tide.tests.core.TestCertificates.PASSWORD));
    Path config = dir.resolve("tls.json");
    Files.writeString(config, new JsonObject().put("port", 0).put("dbPath", dir.resolve("tls.db").toString()).put("ssl", ssl).encode());
    Outcome o = run(Map.of(), "--config", config.toString());
    assertTrue(o.out.startsWith("tide server listening on https://127.0.0.1:"), o.out);

    Files.writeString(config, new JsonObject().put("ssl", ssl.copy().put("clientAuth", "SOMETIMES")).encode());
    Outcome bad = run(Map.of(), "--config", config.toString());
    assertEquals(2, bad.exit, bad.out);
    assertTrue(bad.out.contains("ssl.clientAuth"), bad.out);

    // a misspelt key inside ssl is a usage error too: "clientAuht" would serve without asking for client certificates
    Files.writeString(config, new JsonObject().put("port", 0).put("dbPath", dir.resolve("tls.db").toString())
      .put("ssl", ssl.copy().put("clientAuht", "REQUIRED")).encode());
    Outcome typo = run(Map.of(), "--config", config.toString());
    assertEquals(2, typo.exit, typo.out);
    assertTrue(typo.out.startsWith("tide-server: unknown setting \"ssl.clientAuht\""), typo.out);
    Files.writeString(config, new JsonObject().put("ssl", new JsonObject().put("pfxKeyCertOptions", new JsonObject()
      .put("path", cert.p12().toString()).put("pasword", "x"))).encode());
    Outcome storeTypo = run(Map.of(), "--config", config.toString());
    assertEquals(2, storeTypo.exit, storeTypo.out);
    assertTrue(storeTypo.out.startsWith("tide-server: unknown setting \"ssl.pfxKeyCertOptions.pasword\""), storeTypo.out);
  }

  /** A --config file that is missing, empty or not an object says which (exit 2): it said "nope.json: nope.json". */
  @Test
  void anUnreadableConfigFileSaysWhy() throws Exception {
    Path missing = dir.resolve("nope.json");
    Path empty = Files.writeString(dir.resolve("empty.json"), "");
    Path array = Files.writeString(dir.resolve("array.json"), "[{\"port\": 8000}]");
    Map<Path, String> why = Map.of(missing, "no such file", empty, "the file is empty", array, "not a JSON object");
    for (Map.Entry<Path, String> c : why.entrySet()) {
      Outcome o = run(Map.of(), "--config", c.getKey().toString());
      assertEquals(2, o.exit, o.out);
      assertTrue(o.out.startsWith("tide-server: cannot read config " + c.getKey() + ": " + c.getValue()), o.out);
    }
  }
}

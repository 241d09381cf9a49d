package dev.tide.server;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code java -jar tide-server.jar [--host H] [--port N] [--db PATH | --postgres URL] [--config FILE.json]}.
 * Settings come from, lowest first: defaults, the JSON config file ({@link TideServerOptions} fields),
 * environment ({@code TIDE_HOST}, {@code TIDE_PORT}, {@code TIDE_DB}, {@code TIDE_POSTGRES_URL}), command-line flags.
 * SIGTERM stops it gracefully: in-flight requests finish and the store is closed cleanly.
 */
public final class TideServerMain {

  private TideServerMain() {
  }

  private static final String USAGE =
    "usage: java -jar tide-server.jar [--host 127.0.0.1] [--port 8000] [--db tide-server.db | --postgres postgresql://host/db]"
    + " [--config file.json]";

  /** Exit codes: 0 after --help, 1 cannot start (port taken, store locked), 2 usage error; SIGTERM gives 143. */
  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
      System.out.println(USAGE);
      System.out.println("Settings, lowest first: defaults, --config (TideServerOptions as JSON), TIDE_HOST / TIDE_PORT / TIDE_DB / TIDE_POSTGRES_URL,"
        + " flags. Exit codes: 1 cannot start, 2 usage error.");
      return;
    }
    TideServerOptions options;
    try {
      options = parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("tide-server: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx();
    TideServerVerticle verticle = new TideServerVerticle(options);
    CompletableFuture<String> deployment = new CompletableFuture<>();
    // registered before the deploy starts: a SIGTERM while the store opens waits for the open, then
    // closes the store cleanly (without the hook, the JVM would exit mid-open)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, deployment, options), "tide-server-shutdown"));
    vertx.deployVerticle(verticle).onComplete(ar -> {
      if (ar.succeeded()) {
        deployment.complete(ar.result());
      } else {
        deployment.completeExceptionally(ar.cause());
      }
    });
    try {
      deployment.join();
    } catch (CompletionException e) {
      System.err.println("tide-server: cannot start: " + e.getCause().getMessage());
      System.exit(1); // the hook closes Vert.x
      return;
    }
    if (!STOPPING.get()) { // a SIGTERM during the start: the hook is closing it already
      String host = options.getHost().contains(":") && !options.getHost().startsWith("[")
        ? "[" + options.getHost() + "]" : options.getHost(); // an IPv6 address, as a URL writes it
      System.out.println("tide server listening on " + (options.getSslOptions() != null ? "https://" : "http://")
        + host + ":" + verticle.actualPort()
        + (options.getPostgresUrl() != null ? " (postgres " + dev.tide.server.impl.PgServerStore.redacted(options.getPostgresUrl()) + ")"
          : " (db " + options.getDbPath() + ")"));
    }
  }

  private static final AtomicBoolean STOPPING = new AtomicBoolean();

  /** The shutdown hook: lets a start in progress finish, then closes Vert.x (and with it the store). */
  private static void stop(Vertx vertx, CompletableFuture<String> deployment, TideServerOptions options) {
    STOPPING.set(true);
    boolean started = !deployment.isCompletedExceptionally(); // a failed start is reported by main
    if (started) {
      System.out.println("tide server stopping");
      System.out.flush();
    }
    long timeoutSeconds = options.getShutdownGraceSeconds() + 20L;
    try {
      deployment.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      // failed or still starting: close what there is
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
      if (started) {
        System.out.println("tide server stopped");
      }
    } catch (Exception e) {
      System.err.println("tide-server: unclean stop: " + e);
    }
  }

  private static final java.util.Set<String> KNOWN_KEYS = new java.util.TreeSet<>(
    new TideServerOptions().setSslOptions(new io.vertx.core.net.ServerSSLOptions()).setPostgresUrl("postgresql://localhost/db")
      .toJson().fieldNames()); // ssl and postgresUrl: none by default

  static TideServerOptions parse(String[] args, Map<String, String> env) {
    JsonObject config = new JsonObject();
    JsonObject flags = new JsonObject();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (!java.util.Set.of("--host", "--port", "--db", "--postgres", "--config").contains(flag)) {
        throw new IllegalArgumentException("unknown option " + flag);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--host" -> flags.put("host", value);
        case "--port" -> flags.put("port", port(value));
        case "--db" -> flags.put("dbPath", value);
        case "--postgres" -> flags.put("postgresUrl", value);
        case "--config" -> {
          config = readConfig(value);
          // a misspelt key would silently keep a default (a wrong database file, say)
          for (String key : config.fieldNames()) {
            if (!KNOWN_KEYS.contains(key)) {
              throw new IllegalArgumentException("unknown setting \"" + key + "\" in " + value + " (known: " + KNOWN_KEYS + ")");
            }
          }
          // and inside ssl: a misspelt clientAuth would serve without asking for client certificates
          var unknown = config.getValue("ssl") instanceof JsonObject ssl ? dev.tide.core.impl.SslOptionsJson.unknownServerKey("ssl", ssl) : null;
          if (unknown != null) {
            throw new IllegalArgumentException("unknown setting \"" + unknown.getKey() + "\" in " + value + " (known: " + unknown.getValue() + ")");
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + flag);
      }
    }
    if (flags.containsKey("dbPath") && flags.containsKey("postgresUrl")) {
      throw new IllegalArgumentException("--db and --postgres name two stores: give one");
    }
    JsonObject merged = new TideServerOptions().toJson().mergeIn(config);
    fromEnv(merged, flags, env, "TIDE_HOST", "host", v -> new TideServerOptions().setHost(v).getHost());
    fromEnv(merged, flags, env, "TIDE_PORT", "port", TideServerMain::port);
    // the store: SQLite (dbPath) or PostgreSQL (postgresUrl), chosen as any setting is; a flag for one
    // keeps the other's environment variable unread, and a later level's choice drops an earlier one's
    boolean storeFlag = flags.containsKey("dbPath") || flags.containsKey("postgresUrl");
    if (!storeFlag && env.get("TIDE_DB") != null && env.get("TIDE_POSTGRES_URL") != null) {
      throw new IllegalArgumentException("TIDE_DB and TIDE_POSTGRES_URL in the environment name two stores: set one");
    }
    if (!storeFlag) {
      fromEnv(merged, flags, env, "TIDE_DB", "dbPath", v -> new TideServerOptions().setDbPath(v).getDbPath());
      fromEnv(merged, flags, env, "TIDE_POSTGRES_URL", "postgresUrl", v -> new TideServerOptions().setPostgresUrl(v).getPostgresUrl());
      if (env.get("TIDE_DB") != null) {
        merged.remove("postgresUrl"); // the environment's SQLite file over the config file's PostgreSQL
      }
    } else if (flags.containsKey("dbPath")) {
      merged.remove("postgresUrl");
    }
    return new TideServerOptions(merged.mergeIn(flags));
  }

  /**
   * Puts an environment variable's value unless its flag was given: an overridden variable is not even
   * checked, so a stale TIDE_PORT in the shell cannot stop {@code --port 8080}. A bad value is named with its
   * variable: nothing on the command line would tell the user where it came from.
   */
  private static void fromEnv(JsonObject merged, JsonObject flags, Map<String, String> env, String variable, String key,
                              java.util.function.Function<String, Object> read) {
    String value = env.get(variable);
    if (value != null && !flags.containsKey(key)) {
      try {
        merged.put(key, read.apply(value));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " (from " + variable + " in the environment)");
      }
    }
  }

  /** The --config file's settings; a file that is missing, empty or not an object says so (not "nope.json: nope.json"). */
  private static JsonObject readConfig(String file) {
    String text;
    try {
      text = Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("cannot read config " + file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException("cannot read config " + file + ": permission denied");
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("cannot read config " + file + ": not UTF-8 text");
    } catch (Exception e) { // a directory, say
      throw new IllegalArgumentException("cannot read config " + file + ": " + e.getMessage());
    }
    Object json;
    try {
      json = text.isBlank() ? null : Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("cannot read config " + file + ": not valid JSON: " + e.getMessage());
    }
    if (json instanceof JsonObject settings) {
      return settings;
    }
    throw new IllegalArgumentException("cannot read config " + file + ": "
      + (text.isBlank() ? "the file is empty, want a JSON object" : "not a JSON object")
      + " of TideServerOptions fields (e.g. {\"port\": 8000})");
  }

  private static int port(String value) {
    try {
      int p = Integer.parseInt(value);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a port: " + value);
    }
  }
}

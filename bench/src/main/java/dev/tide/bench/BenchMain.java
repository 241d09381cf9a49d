package dev.tide.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code java -jar bench/target/tide-bench.jar [--scenarios S1,S2,S3,S4,S5,CAP] [--runs 3] [--quick]}.
 * Prints one JSON object per scenario, size and run (after an untimed warm-up run), then one summary
 * object per scenario and size with the medians. {@code --quick} uses tiny sizes (a smoke test).
 */
public final class BenchMain {

  static final String USAGE = """
    usage: java -jar bench/target/tide-bench.jar [--scenarios S1,S2,S3,S4,S5,CAP] [--runs 3] [--quick] [--postgres URL]
      --scenarios  which scenarios to run (default: all), see BENCHMARKS.md
      --postgres   S2-S5 with the server on this PostgreSQL database (a schema per run, dropped at the end)
      --runs       timed runs per scenario and size, after one untimed warm-up (default: 3)
      --quick      tiny sizes: checks that the benchmarks work, not the figures
    Prints one JSON object per scenario, size and run, then a summary object per scenario and size.""";

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    Set<String> scenarios = Set.of("S1", "S2", "S3", "S4", "S5", "CAP");
    int runs = 3;
    boolean quick = false;
    String postgres = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scenarios" -> scenarios = Set.copyOf(Arrays.asList(args[++i].toUpperCase().split(",")));
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--quick" -> quick = true;
        case "--postgres" -> postgres = args[++i];
        case "--help", "-h" -> {
          System.out.println(USAGE);
          return;
        }
        default -> {
          System.err.println("unknown option " + args[i] + "\n" + USAGE);
          System.exit(2);
        }
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      if (scenarios.contains("S1")) {
        for (int n : quick ? new int[]{2_000} : new int[]{10_000, 100_000}) {
          S1LocalWrites s1 = new S1LocalWrites(vertx, n);
          repeat("S1", new JsonObject().put("n", n), runs, s1::run);
        }
      }
      SyncScenarios sync = new SyncScenarios(vertx, postgres);
      SERVER_STORE = postgres == null ? "SQLite" : "PostgreSQL";
      if (scenarios.contains("S2")) {
        for (int n : quick ? new int[]{2_000} : new int[]{10_000, 100_000}) {
          repeat("S2", new JsonObject().put("n", n), runs, () -> sync.initialPull(n));
        }
      }
      if (scenarios.contains("S3")) {
        int n = quick ? 1_000 : 10_000;
        repeat("S3", new JsonObject().put("n", n), runs, () -> sync.offlinePush(n));
      }
      if (scenarios.contains("S4")) {
        int docs = quick ? 50 : 500;
        repeat("S4", new JsonObject().put("docs", docs).put("intervalMs", 20), runs, () -> sync.liveLatency(docs));
      }
      if (scenarios.contains("S5")) {
        int n = quick ? 200 : 1_000;
        repeat("S5", new JsonObject().put("n", n).put("clients", 3), runs, () -> sync.convergence(n));
      }
      sync.close();
      SERVER_STORE = "SQLite"; // CAP measures connections and fan-out on the embedded store
      if (scenarios.contains("CAP")) {
        int connections = quick ? 200 : 10_000;
        int fanout = quick ? 200 : 1_000;
        int writes = quick ? 25 : 250;
        repeat("CAP", new JsonObject().put("connections", fanout).put("writes", writes), runs,
          () -> ServerCapacity.run(fanout, writes));
        if (connections > fanout) { // memory only: a 10k fan-out would measure this 2-core box, not the server
          repeat("CAP", new JsonObject().put("connections", connections).put("writes", 0), 1,
            () -> ServerCapacity.run(connections, 0));
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  /** The server store of S2-S5 (CAP: SQLite): what their figures were measured on. */
  static volatile String SERVER_STORE = "SQLite";

  interface Run {
    JsonObject run() throws Exception;
  }

  /** One untimed warm-up, then {@code runs} timed runs printed as they finish, then the medians. */
  static void repeat(String scenario, JsonObject params, int runs, Run body) throws Exception {
    body.run();
    List<JsonObject> results = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      JsonObject result = body.run();
      results.add(result);
      print(new JsonObject().put("scenario", scenario).put("params", params).put("run", r).mergeIn(result));
    }
    JsonObject median = medians(results);
    print(new JsonObject().put("scenario", scenario).put("params", params).put("summary", "median of " + runs).mergeIn(median));
  }

  static void print(JsonObject result) {
    result.put("durability", "S1".equals(result.getString("scenario")) || "SQLite".equals(SERVER_STORE)
      ? "WAL, synchronous=NORMAL (client and server)"
      : "client WAL, synchronous=NORMAL; server PostgreSQL, synchronous_commit as the database sets it").put("machine", Machine.describe());
    if (!"S1".equals(result.getString("scenario"))) {
      result.put("serverStore", SERVER_STORE);
    }
    System.out.println(result.encode());
    System.out.flush();
  }

  /** The median of every number in the results, field by field (nested objects too). */
  static JsonObject medians(List<JsonObject> results) {
    JsonObject first = results.get(0);
    JsonObject out = new JsonObject();
    for (String key : first.fieldNames()) {
      Object v = first.getValue(key);
      if (v instanceof JsonObject) {
        List<JsonObject> nested = new ArrayList<>();
        results.forEach(r -> nested.add(r.getJsonObject(key)));
        out.put(key, medians(nested));
      } else if (v instanceof Number) {
        double[] values = results.stream().mapToDouble(r -> ((Number) r.getValue(key)).doubleValue()).toArray();
        out.put(key, Stats.round(Stats.median(values), 3));
      } else {
        out.put(key, v);
      }
    }
    return out;
  }
}

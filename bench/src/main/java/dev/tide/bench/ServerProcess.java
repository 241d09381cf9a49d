package dev.tide.bench;

import dev.tide.core.Change;
import dev.tide.core.ChangeSource;
import dev.tide.core.Stamp;
import dev.tide.server.TideServerOptions;
import dev.tide.server.TideServerVerticle;
import dev.tide.server.impl.TideServerImpl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark server, in its own JVM: a {@link TideServerVerticle} on a free loopback port, over an
 * SQLite file or, for a {@code postgresql://} database argument, over PostgreSQL.
 * Prints {@code PORT n}; then commands on stdin: {@code reset <db>} (a fresh database, same JVM), {@code preload N} (N documents written straight into
 * its store, untimed), {@code stats}, {@code quit}.
 */
public final class ServerProcess {

  private ServerProcess() {
  }

  /** An SQLite file's path, or a PostgreSQL URL. */
  static TideServerOptions options(String database) {
    TideServerOptions options = new TideServerOptions().setPort(0);
    return database.startsWith("postgres") ? options.setPostgresUrl(database) : options.setDbPath(database);
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    TideServerVerticle verticle = new TideServerVerticle(options(args[0]));
    String deployment = vertx.deployVerticle(verticle).await();
    System.out.println("PORT " + verticle.actualPort());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split(" ");
      switch (cmd[0]) {
        case "reset" -> { // a fresh database in this (warm) JVM
          vertx.undeploy(deployment).await();
          verticle = new TideServerVerticle(options(cmd[1]));
          deployment = vertx.deployVerticle(verticle).await();
          System.out.println("PORT " + verticle.actualPort());
        }
        case "preload" -> {
          int n = Integer.parseInt(cmd[1]);
          for (int i = 0; i < n; i += 5000) {
            List<Change> ops = new ArrayList<>();
            for (int k = i; k < Math.min(n, i + 5000); k++) {
              ops.add(new Change("notes", Docs.id(k), new Stamp(k + 1, "preload"), Docs.doc(k), ChangeSource.REMOTE));
            }
            verticle.server().store().push("", ops).await();
          }
          System.out.println("PRELOADED " + verticle.server().store().lastSeq());
        }
        case "stats" -> {
          if (cmd.length > 1 && cmd[1].equals("gc")) {
            System.gc();
            System.gc();
          }
          var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          System.out.println("STATS " + new JsonObject().put("lastSeq", verticle.server().store().lastSeq())
            .put("heapUsed", heap.getUsed()).put("heapMax", heap.getMax()).put("cpuMs", Machine.processCpuMillis())
            .put("webSockets", ((TideServerImpl) verticle.server()).webSocketConnections()).encode());
        }
        case "quit" -> {
          vertx.close().await();
          System.out.println("BYE");
          System.exit(0);
        }
        default -> System.out.println("ERR unknown command " + line);
      }
      System.out.flush();
    }
    vertx.close().await();
  }
}

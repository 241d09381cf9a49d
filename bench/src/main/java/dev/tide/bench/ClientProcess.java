package dev.tide.bench;

import dev.tide.core.Change;
import dev.tide.core.Document;
import dev.tide.core.SyncOptions;
import dev.tide.core.SyncRequest;
import dev.tide.core.SyncResponse;
import dev.tide.core.Tide;
import dev.tide.core.TideOptions;
import dev.tide.core.spi.ForwardingSyncTransport;
import dev.tide.core.spi.PushedChanges;
import dev.tide.core.spi.SyncTransportFactory;
import dev.tide.transport.websocket.WebSocketSyncTransport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark client, in its own JVM: a {@link Tide} store syncing over WebSocket with the server.
 * Args: dbPath url. Commands on stdin (answers on stdout):
 * <ul>
 *   <li>{@code reset <db> <url>}: a fresh store in this warm JVM</li>
 *   <li>{@code start}: background sync, answers {@code STARTED} once caught up</li>
 *   <li>{@code watch}: print {@code GOT <id> <nanoTime>} for each remote change of "notes"</li>
 *   <li>{@code write <count> <intervalMs> <prefix>}: puts, one every interval (each awaited), printing
 *   {@code PUT <id> <nanoTime>} when each completes, then {@code WROTE}</li>
 *   <li>{@code pull}: one sync, {@code PULLED n}; {@code edit}: rewrite every document offline, {@code EDITED <digest>}</li>
 *   <li>{@code go <winnerNode>}: start background sync; once every document holds the winner's stamp, print
 *   {@code STATE <nanoTime it did> <digest>}</li>
 *   <li>{@code digest}, {@code node}, {@code stats} (exchanges and push frames seen), {@code quit}</li>
 * </ul>
 */
public final class ClientProcess {

  private static final AtomicLong EXCHANGES = new AtomicLong();
  private static final AtomicLong PUSHES = new AtomicLong();

  private ClientProcess() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Tide tide = open(vertx, args[0], args[1]);
    java.util.List<io.vertx.core.eventbus.MessageConsumer<?>> consumers = new java.util.ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split(" ");
      switch (cmd[0]) {
        case "reset" -> { // a fresh store in this (warm) JVM
          consumers.forEach(c -> c.unregister().await());
          consumers.clear();
          tide.close().await();
          tide = open(vertx, cmd[1], cmd[2]);
          edited = List.of(); // a "go" now needs this store's own "edit"
          say("RESET");
        }
        case "start" -> {
          tide.startSync().await();
          tide.initialSync().await();
          say("STARTED");
        }
        case "watch" -> {
          consumers.add(vertx.eventBus().<Change>localConsumer(tide.collection("notes").address(), m -> {
            if (m.body().source() == dev.tide.core.ChangeSource.REMOTE) {
              say("GOT " + m.body().id() + " " + System.nanoTime());
            }
          }));
          say("WATCHING");
        }
        case "write" -> {
          int count = Integer.parseInt(cmd[1]);
          long interval = Long.parseLong(cmd[2]) * 1_000_000;
          long next = System.nanoTime();
          for (int i = 0; i < count; i++) {
            long now = System.nanoTime();
            if (now < next) {
              java.util.concurrent.locks.LockSupport.parkNanos(next - now); // pacing the writer, not synchronisation
            }
            next = Math.max(next + interval, System.nanoTime());
            String id = cmd[3] + i;
            tide.collection("notes").put(id, Docs.doc(i)).await();
            say("PUT " + id + " " + System.nanoTime());
          }
          say("WROTE");
        }
        case "pull" -> say("PULLED " + tide.syncOnce().await().pulled());
        case "edit" -> {
          List<Document> docs = tide.collection("notes").list().await();
          String node = tide.nodeId();
          tide.batch(b -> docs.forEach(d -> b.put("notes", d.id(), d.doc().copy().put("editedBy", node)))).await();
          edited = tide.collection("notes").list().await();
          say("EDITED " + digest(tide));
        }
        case "go" -> {
          Tide t = tide;
          ConvergenceProbe probe = new ConvergenceProbe(cmd[1], edited);
          if (probe.converged(System.nanoTime())) {
            reportState(t, probe.convergedAt());
          }
          consumers.add(vertx.eventBus().<Change>localConsumer(t.address(), m -> {
            if (probe.changed(m.body(), System.nanoTime())) {
              reportState(t, probe.convergedAt());
            }
          }));
          tide.startSync().await();
        }
        case "digest" -> say("DIGEST " + digest(tide));
        case "node" -> say("NODE " + tide.nodeId());
        case "stats" -> say("STATS " + new JsonObject().put("exchanges", EXCHANGES.get()).put("pushes", PUSHES.get())
          .put("cpuMs", Machine.processCpuMillis()).put("pending", tide.pendingCount().await()).encode());
        case "quit" -> {
          tide.close().await();
          vertx.close().await();
          say("BYE");
          System.exit(0);
        }
        default -> say("ERR unknown command " + line);
      }
    }
  }

  private static Tide open(Vertx vertx, String db, String url) {
    return Tide.open(vertx, new TideOptions().setDbPath(db)
      .setSync(new SyncOptions().setUrl(url).setTransport("websocket").setIntervalMs(3_600_000)
        .setTransportFactory(counting()))).await();
  }

  /** The store's documents after {@code edit}: where S5's probe starts from. */
  private static List<Document> edited = List.of();

  /** S5: the store held the winner's stamps at {@code convergedAt}; the digest checks the rest (untimed). */
  private static void reportState(Tide tide, long convergedAt) {
    digestAsync(tide).onComplete(d -> say("STATE " + convergedAt + " " + (d.succeeded() ? d.result() : "failed")));
  }

  /** SHA-256 over every live document (id, stamp, body) in id order, with the count. */
  static String digest(Tide tide) {
    return digestAsync(tide).await();
  }

  static Future<String> digestAsync(Tide tide) {
    return tide.collection("notes").list().map(docs -> {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Document d : docs) {
          md.update((d.id() + "|" + d.stamp() + "|" + d.doc().encode() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16) + ":" + docs.size();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** The WebSocket transport, counting requests and push frames (the S4 "messages per doc"). */
  private static SyncTransportFactory counting() {
    return SyncTransportFactory.of("counting-websocket", (vertx, options) ->
      new ForwardingSyncTransport(WebSocketSyncTransport.create(vertx, options)) {
        @Override
        public Future<SyncResponse> exchange(SyncRequest request) {
          EXCHANGES.incrementAndGet();
          return delegate.exchange(request);
        }

        @Override
        public void pushHandler(Handler<PushedChanges> handler) {
          delegate.pushHandler(p -> {
            PUSHES.incrementAndGet();
            handler.handle(p);
          });
        }
      });
  }
}

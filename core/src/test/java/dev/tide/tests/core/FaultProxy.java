package dev.tide.tests.core;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 between clients and a server that injects network faults: it can refuse
 * connections (server "down"), or let a request through and drop the server's answer (the server
 * committed, the client never hears of it).
 */
public final class FaultProxy {

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private volatile int upstreamPort;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicInteger dropResponses = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private final Set<NetSocket> blackholed = ConcurrentHashMap.newKeySet();
  private volatile java.util.Random chaos;
  private final AtomicInteger faults = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile long throttleDown; // bytes per second server -> client, 0: full speed
  private volatile long throttleUp; // bytes per second client -> server, 0: full speed

  /** What chaos does to one connection. */
  private enum Mode { PASS, DELAY, TRUNCATE_RESPONSE, RESET_MID_REQUEST, RESET_MID_RESPONSE }

  private FaultProxy(Vertx vertx, int upstreamPort) {
    this.vertx = vertx;
    this.upstreamPort = upstreamPort;
    this.client = vertx.createNetClient();
    // SO_LINGER 0: closing a socket sends a TCP reset, not an orderly FIN (a connection torn mid-frame)
    this.server = vertx.createNetServer(new io.vertx.core.net.NetServerOptions().setSoLinger(0)).connectHandler(this::accept);
  }

  public static FaultProxy start(Vertx vertx, int upstreamPort) {
    FaultProxy p = new FaultProxy(vertx, upstreamPort);
    p.server.listen(0, "127.0.0.1").await();
    return p;
  }

  public int port() {
    return server.actualPort();
  }

  /** Points the proxy at another upstream port (a restarted server). */
  public void upstream(int port) {
    this.upstreamPort = port;
  }

  /** While down, connections are refused and open ones are cut. */
  public void down(boolean isDown) {
    down.set(isDown);
    if (isDown) {
      open.forEach(NetSocket::close);
    }
  }

  /** The next {@code n} responses from the server are swallowed and their connections cut. */
  public void dropNextResponses(int n) {
    dropResponses.set(n);
  }

  /**
   * The connections open now silently swallow everything in both directions, without closing: a peer
   * that died without a FIN (only heartbeats can tell). New connections work normally.
   */
  public void blackholeExisting() {
    blackholed.addAll(open);
  }

  /**
   * From now on, about half of new connections suffer a fault chosen at random from {@code seed}:
   * chunks delayed 1–40 ms, the server's answer cut after a random number of bytes, or a reset in the
   * middle of the request or of the response; and any chunk may end its connection (1 in 40).
   * {@code null} stops the chaos.
   */
  public void chaos(Long seed) {
    this.chaos = seed == null ? null : new java.util.Random(seed);
  }

  /**
   * A slow link: from now on each direction of every connection carries at most this many bytes per
   * second (0: full speed). Nothing is lost, and the sender feels it: the proxy reads no more from it
   * until what it read has gone out.
   */
  public void throttle(long downBytesPerSecond, long upBytesPerSecond) {
    this.throttleDown = downBytesPerSecond;
    this.throttleUp = upBytesPerSecond;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Connections that suffered a fault so far. */
  public int faults() {
    return faults.get();
  }

  public int droppedResponses() {
    return dropped.get();
  }

  private void accept(NetSocket downstream) {
    connections.incrementAndGet();
    if (down.get()) {
      downstream.close();
      return;
    }
    Mode mode = Mode.PASS;
    int budget = 0;
    java.util.Random r = chaos;
    if (r != null) {
      synchronized (r) {
        if (r.nextBoolean()) {
          mode = Mode.values()[1 + r.nextInt(Mode.values().length - 1)];
          budget = r.nextInt(2_000);
        }
      }
    }
    Mode m = mode;
    int[] left = {budget, budget};
    downstream.pause();
    open.add(downstream);
    client.connect(upstreamPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = ar.result();
      open.add(upstream);
      Future<?>[] upChain = {Future.succeededFuture()};
      Future<?>[] downChain = {Future.succeededFuture()};
      downstream.handler(data -> {
        if (blackholed.contains(downstream)) {
          return;
        }
        if (m == Mode.RESET_MID_REQUEST && (left[0] -= data.length()) < 0 || hazard()) {
          fault(downstream, upstream);
          return;
        }
        upChain[0] = throttleUp > 0 ? throttled(upChain[0], downstream, upstream, data, throttleUp)
          : forward(upChain[0], m, upstream, data);
      });
      upstream.handler(data -> {
        if (blackholed.contains(downstream)) {
          return;
        }
        if (dropResponses.get() > 0 && dropResponses.getAndDecrement() > 0) {
          dropped.incrementAndGet();
          upstream.close();
          downstream.close();
          return;
        }
        if (hazard()) {
          fault(downstream, upstream);
          return;
        }
        if ((m == Mode.TRUNCATE_RESPONSE || m == Mode.RESET_MID_RESPONSE) && (left[1] -= data.length()) < 0) {
          int keep = m == Mode.TRUNCATE_RESPONSE ? Math.max(0, data.length() + left[1]) : 0;
          if (keep > 0) {
            downstream.write(data.getBuffer(0, keep));
          }
          fault(downstream, upstream);
          return;
        }
        downChain[0] = throttleDown > 0 ? throttled(downChain[0], upstream, downstream, data, throttleDown)
          : forward(downChain[0], m, downstream, data);
      });
      downstream.closeHandler(v -> {
        open.remove(downstream);
        upstream.close();
      });
      upstream.closeHandler(v -> {
        open.remove(upstream);
        downstream.close();
      });
      downstream.resume();
    });
  }

  /** Writes in order; with DELAY, each chunk waits 1–40 ms after the previous one. */
  private Future<?> forward(Future<?> previous, Mode m, NetSocket to, io.vertx.core.buffer.Buffer data) {
    if (m != Mode.DELAY) {
      to.write(data);
      return previous;
    }
    long delay = 1 + java.util.concurrent.ThreadLocalRandom.current().nextInt(40);
    return previous.compose(v -> vertx.timer(delay)).onSuccess(v -> to.write(data));
  }

  /** Writes in order, 1 KiB at a time at {@code rate} bytes per second; {@code from} is paused meanwhile. */
  private Future<?> throttled(Future<?> previous, NetSocket from, NetSocket to, io.vertx.core.buffer.Buffer data, long rate) {
    from.pause();
    Future<?> chain = previous;
    for (int off = 0; off < data.length(); off += 1024) {
      io.vertx.core.buffer.Buffer slice = data.getBuffer(off, Math.min(data.length(), off + 1024));
      long delayMs = Math.max(1, slice.length() * 1000L / rate);
      chain = chain.compose(v -> vertx.timer(delayMs)).compose(v -> to.write(slice));
    }
    return chain.onComplete(v -> from.resume());
  }

  /** While chaos lasts, any chunk of a long-lived connection may also end it (1 in 40). */
  private boolean hazard() {
    java.util.Random r = chaos;
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.nextInt(40) == 0;
    }
  }

  private void fault(NetSocket downstream, NetSocket upstream) {
    faults.incrementAndGet();
    downstream.close();
    upstream.close();
  }

  public Future<Void> close() {
    open.forEach(NetSocket::close);
    return server.close().eventually(client::close);
  }
}

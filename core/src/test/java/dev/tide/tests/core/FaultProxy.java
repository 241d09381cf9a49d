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

  private FaultProxy(Vertx vertx, int upstreamPort) {
    this.vertx = vertx;
    this.upstreamPort = upstreamPort;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer().connectHandler(this::accept);
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

  public int droppedResponses() {
    return dropped.get();
  }

  private void accept(NetSocket downstream) {
    if (down.get()) {
      downstream.close();
      return;
    }
    downstream.pause();
    open.add(downstream);
    client.connect(upstreamPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        downstream.close();
        return;
      }
      NetSocket upstream = ar.result();
      open.add(upstream);
      downstream.handler(data -> {
        if (!blackholed.contains(downstream)) {
          upstream.write(data);
        }
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
        downstream.write(data);
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

  public Future<Void> close() {
    open.forEach(NetSocket::close);
    return server.close().eventually(client::close);
  }
}

package dev.tide.core.impl;

import dev.tide.core.SyncException;
import io.vertx.core.VertxException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchange size on a link that carries pushes of at most {@code capacity} ops before the server's
 * body timeout (larger ones get a 408), with a full outbox: every push is as large as the size allows.
 */
class ExchangeSizeTest {

  static final int MAX_OPS = 1000;
  static final int MAX_LIMIT = 5000;

  final ExchangeSize size = new ExchangeSize(MAX_OPS, MAX_LIMIT);
  int timeouts;
  long opsCarried;

  /** One push of a full batch; returns whether it got through. */
  boolean push(int capacity) {
    int ops = size.pushOps();
    if (ops > capacity) {
      timeouts++;
      size.failed(new SyncException(408, "timeout", "the request did not arrive in time", null), ops);
      return false;
    }
    opsCarried += ops;
    size.succeeded(Integer.MAX_VALUE, 0);
    return true;
  }

  @Test
  void aLinkThatStaysSlowCostsATimeoutRarelyNotEveryOtherPush() {
    for (int i = 0; i < 200; i++) {
      push(600);
    }
    // one at the start, then failed probes after 8, 16, 32, 64 and 64 pushes; was 100 of 200
    assertEquals(6, timeouts);
    assertTrue(opsCarried >= 190 * 500L, "ops carried: " + opsCarried);
  }

  @Test
  void aPullOnlyExchangeDoesNotGrowPushesBackAfterATimeout() {
    push(600);
    for (int i = 0; i < 20; i++) {
      size.succeeded(0, 0); // pulls with nothing to push: they prove nothing about pushes
    }
    assertEquals(500, size.pushOps());
  }

  @Test
  void aPushSmallerThanTheSizeDoesNotGrowIt() {
    push(600);
    for (int i = 0; i < 20; i++) {
      size.succeeded(3, 0); // the outbox had only 3 ops
    }
    assertEquals(500, size.pushOps());
  }

  @Test
  void aLinkThatGotFasterIsFoundAgain() {
    for (int i = 0; i < 100; i++) {
      push(300); // slow: settles at 250, probing 500 now and then
    }
    int slowTimeouts = timeouts;
    int pushes = 0;
    while (size.pushOps() < MAX_OPS && pushes < 200) {
      assertTrue(push(Integer.MAX_VALUE));
      pushes++;
    }
    assertEquals(MAX_OPS, size.pushOps());
    assertTrue(pushes <= 64 + 8 + 2, "pushes to get back to full size: " + pushes);
    assertEquals(slowTimeouts, timeouts);
  }

  @Test
  void afterSeveralTimeoutsInARowTheSizeGrowsBackAtOnceToTheLastThatWorked() {
    push(100);
    push(100);
    push(100);
    push(100); // 1000 -> 500 -> 250 -> 125 -> 62
    assertEquals(62, size.pushOps());
    size.succeeded(Integer.MAX_VALUE, 0);
    assertEquals(62, size.pushOps(), "62 is the size last known to work");
  }

  @Test
  void aSingleOpIsNeverSplit() {
    for (int i = 0; i < 12; i++) {
      push(0);
    }
    assertEquals(1, size.pushOps());
  }

  @Test
  void aLostExchangeHalvesThePullLimitAndFullPagesGrowItBack() {
    size.failed(new VertxException("connection was closed", true), 0);
    assertEquals(2500, size.pullLimit());
    assertEquals(MAX_OPS, size.pushOps(), "nothing was pushed: the push size is not at fault");
    size.succeeded(0, 10); // a page of 10: says nothing about 2500
    assertEquals(2500, size.pullLimit());
    for (int i = 0; i < ExchangeSize.Window.PROBE_AFTER; i++) {
      size.succeeded(0, Integer.MAX_VALUE); // full pages (more were due)
    }
    assertEquals(MAX_LIMIT, size.pullLimit());
  }

  @Test
  void refusalsTheServerAnsweredAndFailedConnectsKeepTheSize() {
    size.failed(new SyncException(429, "busy", "retry shortly", null), MAX_OPS);
    size.failed(new java.net.ConnectException("refused"), MAX_OPS);
    assertEquals(MAX_OPS, size.pushOps());
    assertEquals(MAX_LIMIT, size.pullLimit());
  }

  /**
   * The push size after 413s (PushRefusals' window, first probe after 2 full pushes): a server that takes at most
   * 300 ops per request refuses a larger push now and then, not every third one.
   */
  @Test
  void aServerLimitBelowThePushCostsARefusalRarely() {
    ExchangeSize.Window window = new ExchangeSize.Window(MAX_OPS, 2);
    int refused = 0;
    for (int i = 0; i < 200; i++) {
      if (window.size() > 300) {
        refused++;
        window.lost(window.size());
      } else {
        window.carried(Integer.MAX_VALUE);
      }
    }
    assertEquals(250, window.size());
    assertTrue(refused <= 10, "refused " + refused + " of 200"); // 2 to get below, then probes after 2, 4, ... 64, 64 pushes
  }

  /** Offline: nothing left the client, so the size is not at fault (each of these halved it before). */
  @Test
  void failuresBeforeAnythingWasSentKeepTheSize() {
    size.failed(new java.net.UnknownHostException("sync.example.com"), MAX_OPS); // no DNS while offline
    size.failed(new VertxException("connect failed", new java.net.NoRouteToHostException("no route"), true), MAX_OPS);
    size.failed(RequestNotSentException.of(new IllegalStateException("token service unreachable")), MAX_OPS);
    assertEquals(MAX_OPS, size.pushOps());
    assertEquals(MAX_LIMIT, size.pullLimit());
    size.failed(new VertxException("no progress for 30000 ms", true), MAX_OPS); // sent, then lost: halves
    assertEquals(MAX_OPS / 2, size.pushOps());
  }
}

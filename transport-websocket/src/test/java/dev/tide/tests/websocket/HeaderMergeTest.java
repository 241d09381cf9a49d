package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A header the {@link dev.tide.core.HeadersProvider} supplies replaces a static header of the same name
 * (in any case), on both transports: both were sent, and a server reading the first Authorization never
 * saw the provider's token, refreshed or not.
 */
class HeaderMergeTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void providerHeaderReplacesStaticHeaderOfTheSameName(String transport) {
    List<List<String>> seen = new CopyOnWriteArrayList<>();
    fx.startServer(new TideServerOptions(), headers -> {
      seen.add(headers.getAll("Authorization"));
      seen.add(headers.getAll("X-App")); // the other static headers stay
      return "Bearer fresh".equals(headers.get("Authorization")) ? Future.succeededFuture("alice") : Future.failedFuture("stale token");
    }, null);
    Tide tide = fx.client("c", s -> s.setTransport(transport)
      .setHeaders(Map.of("authorization", "Bearer stale", "X-App", "notes"))
      .setHeadersProvider(() -> Future.succeededFuture(Map.of("Authorization", "Bearer fresh"))));
    tide.collection("notes").put("n", new JsonObject()).await();
    assertEquals(1, tide.syncOnce().await().pushed());
    assertTrue(seen.stream().allMatch(l -> l.equals(List.of("Bearer fresh")) || l.equals(List.of("notes"))), seen.toString());
    assertTrue(seen.contains(List.of("notes")), seen.toString());
  }

  /** A static header added again in another case replaces the first: both were sent, and the server read the old one. */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void aStaticHeaderAddedAgainInAnotherCaseIsSentOnce(String transport) {
    List<List<String>> seen = new CopyOnWriteArrayList<>();
    fx.startServer(new TideServerOptions(), headers -> {
      seen.add(headers.getAll("Authorization"));
      return Future.succeededFuture("alice");
    }, null);
    Tide tide = fx.client("c", s -> s.setTransport(transport).addHeader("authorization", "Bearer old").addHeader("Authorization", "Bearer new"));
    tide.syncOnce().await();
    assertTrue(!seen.isEmpty() && seen.stream().allMatch(l -> l.equals(List.of("Bearer new"))), seen.toString());
  }
}

package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import dev.tide.server.TideServerOptions;
import io.vertx.core.Future;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every form of url SyncOptions accepts reaches the same server on both transports ("swap the
 * transport and nothing else changes"): http or ws, any case, with or without /ws, with a query.
 * Transport names are case-insensitive too.
 */
class SyncUrlFormsTest extends SyncFixtureTest {

  static final List<String> FORMS = List.of(
    "http://%s/sync", "http://%s/sync/ws", "ws://%s/sync/ws", "ws://%s/sync", "HTTP://%s/sync", "Ws://%s/sync/ws",
    "http://%s/sync?key=1", "ws://%s/sync/ws?key=1", "http://%s/sync/?key=1", "http://user@%s/sync",
    "ws://%s/sync/ws/", "http://%s/sync/ws/?key=1");

  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void everyUrlFormSyncs(String transport) {
    fx.startServer();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < FORMS.size(); i++) {
      String url = String.format(FORMS.get(i), "127.0.0.1:" + fx.port());
      Tide tide = fx.client("c" + i, s -> s.setUrl(url).setTransport(transport).setRequestTimeoutMs(5_000));
      tide.collection("notes").put("n" + i, new JsonObject().put("url", url)).await();
      try {
        tide.syncOnce().await();
        if (!fx.serverState().containsKey("notes/n" + i)) {
          failures.add(url + ": synced, but the server has no notes/n" + i);
        }
      } catch (RuntimeException e) {
        failures.add(url + ": " + e);
      }
      tide.close().await();
    }
    assertEquals(List.of(), failures, transport);
  }

  /**
   * Credentials in the url's user info reach the server as {@code Authorization: Basic} on both
   * transports (they were dropped: the client got 401 for ever); a header that sets Authorization wins.
   */
  @ParameterizedTest
  @ValueSource(strings = {"http", "websocket"})
  void userInfoIsSentAsBasicAuthorization(String transport) {
    String alice = "Basic " + Base64.getEncoder().encodeToString("alice:p@ss w".getBytes(StandardCharsets.UTF_8));
    fx.startServer(new TideServerOptions(), headers -> headers.getAll("Authorization").equals(List.of(alice))
      || headers.getAll("Authorization").equals(List.of("Bearer t")) ? Future.succeededFuture("alice") : Future.failedFuture("refused"), null);
    String url = "http://alice:p%40ss%20w@127.0.0.1:" + fx.port() + "/sync";
    Tide tide = fx.client("basic", s -> s.setUrl(url).setTransport(transport));
    tide.collection("notes").put("n", new JsonObject()).await();
    assertEquals(1, tide.syncOnce().await().pushed());
    Tide bearer = fx.client("bearer", s -> s.setUrl(url).setTransport(transport).setHeaders(Map.of("Authorization", "Bearer t")));
    bearer.collection("notes").put("m", new JsonObject()).await();
    bearer.syncOnce().await();
    assertEquals(true, fx.serverState().containsKey("notes/m"));
  }

  /** Transport names are read like url schemes: in any case. */
  @ParameterizedTest
  @ValueSource(strings = {"HTTP", "WebSocket"})
  void transportNamesAreCaseInsensitive(String transport) {
    fx.startServer();
    Tide tide = fx.client("c", s -> s.setTransport(transport));
    tide.collection("notes").put("n", new JsonObject()).await();
    tide.syncOnce().await();
    assertEquals(true, fx.serverState().containsKey("notes/n"));
  }
}

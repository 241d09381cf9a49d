package dev.tide.tests.websocket;

import dev.tide.core.Tide;
import dev.tide.tests.http.SyncFixtureTest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every form of url SyncOptions accepts reaches the same server on both transports ("swap the
 * transport and nothing else changes"): http or ws, any case, with or without /ws, with a query.
 * Transport names are case-insensitive too.
 */
class SyncUrlFormsTest extends SyncFixtureTest {

  static final List<String> FORMS = List.of(
    "http://%s/sync", "http://%s/sync/ws", "ws://%s/sync/ws", "ws://%s/sync", "HTTP://%s/sync", "Ws://%s/sync/ws",
    "http://%s/sync?key=1", "ws://%s/sync/ws?key=1", "http://%s/sync/?key=1", "http://user@%s/sync");

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

package dev.tide.tests.core;

import dev.tide.core.SyncOptions;
import dev.tide.core.spi.SyncUrls;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one rule both transports derive their endpoint with, and SyncOptions' url check, which agrees with it. */
class SyncUrlsTest {

  @ParameterizedTest
  @CsvSource({
    // url, HTTP endpoint, WebSocket endpoint
    "http://h:8000/sync,         http://h:8000/sync,         ws://h:8000/sync/ws",
    "http://h:8000/sync/ws,      http://h:8000/sync,         ws://h:8000/sync/ws",
    "ws://h:8000/sync/ws,        http://h:8000/sync,         ws://h:8000/sync/ws",
    "ws://h:8000/sync,           http://h:8000/sync,         ws://h:8000/sync/ws",
    "https://h/tide/sync,        https://h/tide/sync,        wss://h/tide/sync/ws",
    "wss://h/tide/sync/ws,       https://h/tide/sync,        wss://h/tide/sync/ws",
    "HTTP://h/sync,              http://h/sync,              ws://h/sync/ws",
    "Wss://h/sync/ws,            https://h/sync,             wss://h/sync/ws",
    "http://h/sync?key=1,        http://h/sync?key=1,        ws://h/sync/ws?key=1",
    "ws://h/sync/ws?key=1&b=%2F, http://h/sync?key=1&b=%2F,  ws://h/sync/ws?key=1&b=%2F",
    "http://h/sync/?key=1,       http://h/sync/?key=1,       ws://h/sync/ws?key=1",
    "http://u:p%40ss@h:81/a%20b, http://u:p%40ss@h:81/a%20b, ws://u:p%40ss@h:81/a%20b/ws",
    "http://[::1]:8000/sync,     http://[::1]:8000/sync,     ws://[::1]:8000/sync/ws",
    "http://h:8000,              http://h:8000/,             ws://h:8000/ws",
    "ws://h/ws,                  http://h/,                  ws://h/ws",
    // a trailing slash after /ws is still the WebSocket endpoint: over HTTP it was posted to /sync/ws/ (405)
    // and over WebSocket /ws was appended again (/sync/ws/ws, 404)
    "ws://h/sync/ws/?key=1,      http://h/sync/?key=1,       ws://h/sync/ws/?key=1",
    "http://h/sync/ws/,          http://h/sync/,             ws://h/sync/ws/",
  })
  void derivesBothEndpoints(String url, String http, String webSocket) {
    assertEquals(http, SyncUrls.http(url), url);
    assertEquals(webSocket, SyncUrls.webSocket(url), url);
    assertEquals(url, new SyncOptions().setUrl(url).getUrl(), "kept as given");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a url", "127.0.0.1:8000/sync", "/sync", "ftp://h/sync", "file:///sync", "http:///sync",
    "http:h/sync", "mailto:a@h", "http://h/sync#top", "ws://h/sync/ws#", "http://h/a b"})
  void refusesWhatNoTransportCanUse(String url) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SyncOptions().setUrl(url));
    assertTrue(e.getMessage().startsWith("url ") && e.getMessage().contains(url), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SyncOptions(new JsonObject().put("url", url)));
    assertThrows(IllegalArgumentException.class, () -> SyncUrls.http(url));
    assertThrows(IllegalArgumentException.class, () -> SyncUrls.webSocket(url));
  }

  @Test
  void noUrlIsAllowedUntilSyncStarts() {
    assertEquals(null, new SyncOptions().setUrl(null).getUrl());
  }
}

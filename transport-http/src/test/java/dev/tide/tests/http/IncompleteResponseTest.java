package dev.tide.tests.http;

import dev.tide.core.SyncException;
import dev.tide.core.Tide;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A {@code 200} that lacks {@code changes}, {@code more}, {@code results} or {@code remaining} breaks PROTOCOL.md section 3
 * ("a field missing ... fails the exchange"): read as an empty page that is the last one, it would move
 * the client's cursor past changes it never got, and they would never come. Nothing of it is applied:
 * {@code 502 protocol_error}, and the next exchange asks from the same cursor.
 */
class IncompleteResponseTest extends SyncFixtureTest {

  @ParameterizedTest
  @ValueSource(strings = {"changes", "more", "results", "remaining"})
  void aResponseWithoutARequiredFieldIsAProtocolError(String missing, Vertx vertx) {
    JsonObject answer = new JsonObject().put("cursor", "e.9").put("changes", new io.vertx.core.json.JsonArray())
      .put("more", false).put("results", new io.vertx.core.json.JsonArray()).put("remaining", 0);
    answer.remove(missing);
    java.util.List<Object> cursors = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      cursors.add(String.valueOf(body.toJsonObject().getValue("cursor")));
      req.response().putHeader("Content-Type", "application/json").end(answer.encode());
    })).listen(0, "127.0.0.1").await();
    try {
      Tide a = fx.client("a", s -> s.setUrl(SyncFixture.url(server.actualPort())));
      CompletionException e = assertThrows(CompletionException.class, () -> a.syncOnce().toCompletionStage().toCompletableFuture().join());
      SyncException refusal = assertInstanceOf(SyncException.class, e.getCause());
      assertEquals(SyncException.PROTOCOL_ERROR, refusal.code(), refusal.getMessage());
      assertEquals(502, refusal.status());
      assertThrows(CompletionException.class, () -> a.syncOnce().toCompletionStage().toCompletableFuture().join());
      assertEquals(java.util.List.of("null", "null"), cursors, "the cursor did not move");
    } finally {
      server.close().await();
    }
  }
}

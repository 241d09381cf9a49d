package dev.tide.examples;

import dev.tide.core.HeadersProvider;
import dev.tide.server.ServerAuthenticator;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Example 4: short-lived bearer tokens. The server's authenticator checks a signed token with an expiry
 * ({@code user.expiryMillis.signature}, HMAC-SHA256); the client's {@link HeadersProvider} caches its
 * token and fetches a new one when the server answers 401 ({@link HeadersProvider#refreshed()}).
 * In a real app {@code fetchToken} calls your identity provider.
 */
public final class TokenAuthExample {

  private TokenAuthExample() {
  }

  /** Issues a token for a user, valid for {@code ttl} from now. */
  public static String issue(String secret, String user, Duration ttl, Clock clock) {
    String payload = user + "." + (clock.millis() + ttl.toMillis());
    return payload + "." + sign(secret, payload);
  }

  /** Server side: accepts {@code Authorization: Bearer <token>} if signed and not expired. */
  public static ServerAuthenticator authenticator(String secret, Clock clock) {
    return (MultiMap headers) -> {
      String auth = headers.get("Authorization");
      if (auth == null || !auth.startsWith("Bearer ")) {
        return Future.failedFuture("missing bearer token");
      }
      String[] parts = auth.substring(7).split("\\.");
      if (parts.length != 3) {
        return Future.failedFuture("malformed token");
      }
      String payload = parts[0] + "." + parts[1];
      if (!MessageDigest.isEqual(sign(secret, payload).getBytes(StandardCharsets.UTF_8), parts[2].getBytes(StandardCharsets.UTF_8))) {
        return Future.failedFuture("bad signature");
      }
      if (Long.parseLong(parts[1]) < clock.millis()) {
        return Future.failedFuture("token expired");
      }
      return Future.succeededFuture(parts[0]);
    };
  }

  /** Client side: the cached token on every exchange; a fresh one after a 401. */
  public static HeadersProvider bearer(Supplier<Future<String>> fetchToken) {
    return new HeadersProvider() {
      private Future<String> token;

      @Override
      public synchronized Future<Map<String, String>> headers() {
        if (token == null || token.failed()) {
          token = fetchToken.get();
        }
        return token.map(t -> Map.of("Authorization", "Bearer " + t));
      }

      @Override
      public synchronized Future<Map<String, String>> refreshed() {
        token = null; // the server refused it: expired or revoked
        return headers();
      }
    };
  }

  private static String sign(String secret, String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void main(String[] args) {
    Clock clock = Clock.systemUTC();
    String token = issue("change-me", "alice", Duration.ofMinutes(5), clock);
    System.out.println("token: " + token);
    authenticator("change-me", clock).authenticate(MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token))
      .onComplete(ar -> System.out.println(ar.succeeded() ? "accepted: " + ar.result() : "refused: " + ar.cause().getMessage()));
  }
}

package dev.tide.tests.http;

import dev.tide.core.Tide;
import dev.tide.tests.core.FaultProxy;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A test with a server and its clients ({@link SyncFixture}) in a fresh directory, and optionally a
 * fault proxy between them (set {@link #proxy}); all closed after each test. A test may replace
 * {@link #fx} (it holds nothing until a server or client starts).
 */
@ExtendWith(VertxExtension.class)
public abstract class SyncFixtureTest {

  @TempDir
  protected Path dir;
  protected SyncFixture fx;
  protected FaultProxy proxy;

  @BeforeEach
  void createFixture(Vertx vertx) {
    fx = new SyncFixture(vertx, dir);
  }

  @AfterEach
  void closeProxyAndFixture() {
    if (proxy != null) {
      proxy.close().await();
    }
    if (fx != null) {
      fx.close();
    }
  }

  protected Tide client(String name) {
    return fx.client(name);
  }
}

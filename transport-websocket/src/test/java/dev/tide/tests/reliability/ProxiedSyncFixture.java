package dev.tide.tests.reliability;

import dev.tide.tests.core.FaultProxy;
import dev.tide.tests.http.SyncFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A server and its clients, with a fault proxy between them; both closed after each test. */
abstract class ProxiedSyncFixture {

  @TempDir
  Path dir;
  SyncFixture fx;
  FaultProxy proxy;

  @AfterEach
  void closeProxyAndServer() {
    if (proxy != null) {
      proxy.close().await();
    }
    if (fx != null) {
      fx.close();
    }
  }
}

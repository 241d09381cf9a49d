package dev.tide.tests.examples;

import dev.tide.examples.Demo;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command must keep working: the demo exits 0 and ends with its "converged" line. */
class DemoTest {

  @Test
  void demoConvergesAndExitsZero() throws Exception {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Demo.class.getName())
      .redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the demo must end by itself");
    assertEquals(0, p.exitValue(), String.join("\n", lines));
    assertTrue(lines.get(lines.size() - 1).startsWith("converged: A, B and the server hold the same 3 documents"), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("[B] event bus: remote change notes/live")), String.join("\n", lines));
  }
}

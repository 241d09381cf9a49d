package dev.tide.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark process (server or client) in its own JVM, on this JVM's class path. It talks by lines:
 * commands on stdin, results on stdout; stderr goes to ours.
 */
final class Children implements AutoCloseable {

  final Process process;
  private final PrintWriter in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private Children(Process process) {
    this.process = process;
    this.in = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the child ended
      }
      lines.add("EOF");
    }, "bench-child-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static Children start(Class<?> main, List<String> jvmArgs, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new Children(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  void send(String command) {
    in.println(command);
  }

  /** The next line starting with {@code prefix} (others are skipped), without the prefix. */
  String expect(String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      if (line.equals("EOF")) {
        throw new IllegalStateException("child ended while waiting for " + prefix);
      }
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
    throw new IllegalStateException("timed out waiting for " + prefix);
  }

  /** Collects lines starting with {@code prefix} (without it) until {@code count} arrived; others are skipped. */
  java.util.List<String> collect(String prefix, int count) throws InterruptedException {
    java.util.List<String> out = new java.util.ArrayList<>(count);
    while (out.size() < count) {
      out.add(expect(prefix));
    }
    return out;
  }

  /** CPU time the child has used so far, in ms (from the OS). */
  long cpuMillis() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
  }

  @Override
  public void close() throws InterruptedException {
    send("quit");
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}

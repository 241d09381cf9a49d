package dev.tide.tests.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The files this process holds open (Linux: /proc/self/fd), to check that a close released them. */
public final class OpenFiles {

  private OpenFiles() {
  }

  /** The open files whose path starts with {@code pathPrefix} (a database, its -wal, -shm and .lock). */
  public static List<String> under(String pathPrefix) throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(pathPrefix)) {
            open.add(target);
          }
        } catch (IOException gone) {
          // closed while listed
        }
      }
    }
    return open;
  }
}

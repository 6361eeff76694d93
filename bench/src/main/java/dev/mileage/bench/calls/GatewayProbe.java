package dev.mileage.bench.calls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the child gateway holds, read from outside: open file descriptors and their limit, resident memory and
 * threads from /proc, and its live heap from {@code jcmd GC.class_histogram} (which runs a full collection
 * first, so the figure is what is really reachable, not garbage waiting for the next young GC; it stops the
 * gateway for that collection, so it is taken once idle and once while holding, not continuously).
 */
final class GatewayProbe {
  /** jcmd gets this long; a gateway that cannot answer a histogram in it is reported as -1. */
  static final long JCMD_TIMEOUT_SECONDS = 60;

  /** -1 for anything that could not be read. */
  record Snapshot(long openFds, long fdLimit, long residentBytes, long threads, long liveHeapBytes) {}

  /** Classes of the histogram's top kept for the report. */
  static final int HISTOGRAM_LINES_KEPT = 15;

  private final long pid;
  private volatile List<String> lastHistogramTop = List.of();

  GatewayProbe(long pid) {
    this.pid = pid;
  }

  Snapshot take(boolean liveHeap) {
    return new Snapshot(openFds(), fdLimit(), statusKb("VmRSS:") * 1024, statusKb("Threads:"),
        liveHeap ? liveHeapBytes() : -1);
  }

  long openFds() {
    long n = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path ignored : fds) n++;
      return n;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The soft RLIMIT_NOFILE of the gateway ("Max open files" in /proc/PID/limits). */
  long fdLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
        if (line.startsWith("Max open files")) return Long.parseLong(line.substring(26).trim().split(" +")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** A "Name: value" line of /proc/PID/status (kB for memory lines, a count for Threads). */
  private long statusKb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split(" +")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** The first lines of the last histogram (rank, instances, bytes, class). */
  List<String> lastHistogramTop() {
    return lastHistogramTop;
  }

  /** Bytes of the histogram's "Total" line: the live objects after a full GC. */
  long liveHeapBytes() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
          .redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      List<String> top = new ArrayList<>();
      try (var reader = p.inputReader()) {
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.startsWith("Total")) lines.add(line);
          else if (top.size() < HISTOGRAM_LINES_KEPT && line.trim().matches("\\d+:.*")) top.add(line.trim());
        }
      }
      lastHistogramTop = List.copyOf(top);
      if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      if (lines.isEmpty()) return -1;
      String[] f = lines.get(lines.size() - 1).trim().split(" +");
      return Long.parseLong(f[f.length - 1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}

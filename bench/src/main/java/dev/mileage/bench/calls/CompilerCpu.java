package dev.mileage.bench.calls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of a JVM's JIT compiler threads (C1 and C2), from {@code /proc/<pid>/task/<tid>/stat}: what warming
 * up costs, which a short run charges to its few calls while a gateway running for days pays it once. The JVM's
 * own {@code CompilationMXBean} gives the compilers' elapsed time instead, which runs ahead of their CPU on a
 * busy machine (it gave a bench "without JIT" figure of 0). A compiler thread that the JVM retires between two
 * samples takes its CPU with it, so this is a lower bound. -1 where /proc is not there.
 */
final class CompilerCpu {
  /** One tick of Linux's USER_HZ, the unit of /proc's CPU times. */
  static final long NANOS_PER_TICK = 1_000_000_000L / dev.mileage.bench.metering.CpuClock.TICKS_PER_SECOND;

  private CompilerCpu() {}

  static long nanos(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    if (!Files.isDirectory(tasks)) return -1;
    long ticks = 0;
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) continue;
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception vanished) {
          // the thread ended while we read
        }
      }
    } catch (Exception e) {
      return -1;
    }
    return ticks * NANOS_PER_TICK;
  }
}

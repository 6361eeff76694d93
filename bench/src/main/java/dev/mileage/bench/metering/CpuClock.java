package dev.mileage.bench.metering;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of this process (the meter and the ledger) and of the embedded PostgreSQL (its postmaster
 * and the backends it forked, read from /proc), so "cores used" is CPU time over wall time.
 */
public final class CpuClock {
  /** Linux USER_HZ: /proc reports CPU time in these ticks. */
  public static final long TICKS_PER_SECOND = 100;

  private final long jvmStartNanos;
  private final long postmasterPid;
  private final long dbStartTicks;

  public CpuClock(Path embeddedDataDir) {
    this.jvmStartNanos = jvmCpuNanos();
    this.postmasterPid = embeddedDataDir == null ? -1 : postmaster(embeddedDataDir.resolve("pg").resolve("postmaster.pid"));
    this.dbStartTicks = postmasterPid < 0 ? -1 : databaseTicks();
  }

  public double jvmCores(long wallNanos) {
    return (jvmCpuNanos() - jvmStartNanos) / (double) wallNanos;
  }

  /** Average cores of the database server over the wall time, or -1 when it cannot be measured. */
  public double databaseCores(long wallNanos) {
    if (postmasterPid < 0) return -1;
    long ticks = databaseTicks() - dbStartTicks;
    return ticks / (double) TICKS_PER_SECOND / (wallNanos / 1e9);
  }

  /**
   * CPU time so far of the PostgreSQL server whose data directory is {@code pgDataDir} (postmaster and live
   * backends, plus backends that exited), or -1 when it is not running; used by {@code bench calls} for the
   * gateway's embedded database.
   */
  public static long postgresCpuNanos(Path pgDataDir) {
    long pid = postmaster(pgDataDir.resolve("postmaster.pid"));
    return pid < 0 ? -1 : ticksOf(pid) * (1_000_000_000L / TICKS_PER_SECOND);
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long postmaster(Path pidFile) {
    try {
      return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (Exception e) {
      return -1;
    }
  }

  private long databaseTicks() {
    return ticksOf(postmasterPid);
  }

  /** utime + stime + cutime + cstime of the postmaster and its children (backends that exited count in cutime). */
  private static long ticksOf(long postmasterPid) {
    long total = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) continue;
        try {
          String stat = Files.readString(p.resolve("stat"));
          List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
          long pid = Long.parseLong(name);
          long ppid = Long.parseLong(f.get(1));
          if (pid != postmasterPid && ppid != postmasterPid) continue;
          total += Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
          if (pid == postmasterPid) total += Long.parseLong(f.get(13)) + Long.parseLong(f.get(14));
        } catch (Exception vanished) {
          // the process ended while we read
        }
      }
    } catch (Exception e) {
      return 0;
    }
    return total;
  }
}

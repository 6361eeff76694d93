package dev.mileage.bench.media;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * CPU time of the relay's media I/O threads and of this whole process over the measured window, so the
 * report can say what a thousand relayed packets cost independently of how busy the machine is.
 */
final class CpuMeter {
  private static final String RELAY_THREAD_PREFIX = "media-io";
  private final List<Long> relayThreadIds = new ArrayList<>();
  private final long relayStartNanos;
  private final long processStartNanos;
  private final java.util.function.LongSupplier relayedPackets;
  private final long relayedAtStart;
  /** Set by {@link #stop()}: the figures are frozen there (later work in the process does not count). */
  private long relayEndNanos = -1;
  private final long relayUserStartNanos;
  private long relayUserEndNanos;
  private long processEndNanos;
  private long relayedAtEnd;

  private CpuMeter(java.util.function.LongSupplier relayedPackets) {
    this.relayedPackets = relayedPackets;
    this.relayedAtStart = relayedPackets.getAsLong();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(RELAY_THREAD_PREFIX)) relayThreadIds.add(t.getId());
    }
    relayStartNanos = relayNanos();
    relayUserStartNanos = relayUserNanos();
    processStartNanos = processNanos();
  }

  /** Waits until {@code atNanos} (System.nanoTime), then starts counting; {@code relayedPackets} counts forwards. */
  static CpuMeter startAt(long atNanos, java.util.function.LongSupplier relayedPackets) {
    for (long left; (left = atNanos - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    return new CpuMeter(relayedPackets);
  }

  /** Ends the measured window. */
  void stop() {
    relayedAtEnd = relayedPackets.getAsLong();
    processEndNanos = processNanos();
    relayEndNanos = relayNanos();
    relayUserEndNanos = relayUserNanos();
  }

  /** Of the relay threads' CPU, the share spent in Java (the rest is the kernel: system calls, loopback delivery). */
  double relayUserShare() {
    double total = relaySeconds();
    return total <= 0 ? 0 : ((stopped() ? relayUserEndNanos : relayUserNanos()) - relayUserStartNanos) / 1e9 / total;
  }

  private boolean stopped() {
    return relayEndNanos >= 0;
  }

  /** Packets the relay forwarded in the window. */
  long relayedPackets() {
    return (stopped() ? relayedAtEnd : relayedPackets.getAsLong()) - relayedAtStart;
  }

  double relaySeconds() {
    return ((stopped() ? relayEndNanos : relayNanos()) - relayStartNanos) / 1e9;
  }

  double processSeconds() {
    return ((stopped() ? processEndNanos : processNanos()) - processStartNanos) / 1e9;
  }

  private long relayNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : relayThreadIds) total += Math.max(0, threads.getThreadCpuTime(id));
    return total;
  }

  private long relayUserNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (long id : relayThreadIds) total += Math.max(0, threads.getThreadUserTime(id));
    return total;
  }

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}

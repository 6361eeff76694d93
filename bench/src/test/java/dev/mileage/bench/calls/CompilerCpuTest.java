package dev.mileage.bench.calls;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JIT compilers' CPU read from /proc (Linux: the bench's platform; CI runs there). */
class CompilerCpuTest {
  @Test
  void thisJvmsCompilersHaveUsedCpuAndTheCountOnlyGrows() {
    long before = CompilerCpu.nanos(ProcessHandle.current().pid());
    assertTrue(before > 0, "a JVM that loaded JUnit has compiled something: " + before);
    long sink = 0;
    for (int round = 0; round < 200; round++) sink += String.valueOf(round * 31L).hashCode() ^ Long.toHexString(sink).length();
    long after = CompilerCpu.nanos(ProcessHandle.current().pid());
    assertTrue(after >= before || sink == 42, "compiler CPU never goes down while its threads live");
    long total = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
    assertTrue(after <= total + CompilerCpu.NANOS_PER_TICK * 4, "a part of the process's CPU: " + after + " of " + total);
  }

  @Test
  void aProcessThatIsNotThereIsUnmeasured() {
    assertEquals(-1, CompilerCpu.nanos(Long.MAX_VALUE));
  }
}

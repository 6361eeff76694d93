package dev.mileage.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {
  @Test
  void latencyRunsFromTheIntendedStartSoStallsAreNotHidden() {
    LatencyRecorder recorder = new LatencyRecorder();
    // intended at 0 ms, sent late at 40 ms because the generator stalled, answered at 41 ms
    recorder.record(0, 40_000_000L, 41_000_000L);
    assertEquals(41_000, recorder.correctedMicros().getMaxValue(), 41);
    assertEquals(1_000, recorder.serviceMicros().getMaxValue(), 1);
  }

  @Test
  void coordinatedOmissionScenarioFromAStalledServer() {
    // 1000 ops/s for 1 s; the server stalls for 100 ms on op 0, so a closed-loop tester would
    // record one slow sample; open-loop intended starts record every op queued behind it.
    LatencyRecorder recorder = new LatencyRecorder();
    long period = 1_000_000L;
    long serverFreeAt = 0;
    for (int i = 0; i < 1000; i++) {
      long intended = i * period;
      long sent = Math.max(intended, serverFreeAt);
      long service = i == 0 ? 100_000_000L : 100_000L;
      long done = sent + service;
      serverFreeAt = done;
      recorder.record(intended, sent, done);
    }
    assertEquals(1000, recorder.count());
    // about 100 operations were delayed by the stall: the corrected p90 is well above the service time
    long correctedP90Micros = recorder.correctedMicros().getValueAtPercentile(90.0);
    long serviceP90Micros = recorder.serviceMicros().getValueAtPercentile(90.0);
    assertEquals(100, serviceP90Micros, 1);
    assertEquals(true, correctedP90Micros > 1_000, "corrected p90 " + correctedP90Micros);
    assertEquals(100_000, recorder.correctedMicros().getMaxValue(), 100);
  }

  @Test
  void negativeAndHugeValuesAreClampedNotThrown() {
    LatencyRecorder recorder = new LatencyRecorder();
    recorder.record(10, 10, 5);
    recorder.record(0, 0, (LatencyRecorder.LATENCY_MICROS_MAX + 5) * 1_000);
    assertEquals(2, recorder.count());
    assertEquals(0, recorder.correctedMicros().getMinValue());
    assertEquals(2, recorder.clampedCount());
  }
}

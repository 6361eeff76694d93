package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator straight at sip-fixtures' simulated PSTN (its 407 proxy challenge, MD5): counts only. */
@Timeout(60)
class SimulatedTrunkCallsTest {
  private static CallStats run(String number, String password, int calls) throws Exception {
    TrunkOptions options = TrunkOptions.defaults().withChallenge("bench", "trunk-secret");
    try (SimulatedTrunk trunk = SimulatedTrunk.start(options)) {
      CallStats stats = new CallStats();
      UacEngine.Settings settings = new UacEngine.Settings(trunk.host(), trunk.port(), UacEngine.Transport.UDP,
          Digest.Algorithm.MD5, Duration.ofMillis(100), Duration.ofSeconds(10));
      try (UacEngine engine = new UacEngine(settings, stats, System::nanoTime)) {
        CallLoad.Result result = CallLoad.run(engine, new CallLoad.Plan(20, calls, Duration.ofSeconds(5), 10,
            Duration.ofSeconds(20), number, List.of(new Subscriber("bench", password, ""))));
        assertEquals(0, result.unfinished());
      }
      return stats;
    }
  }

  @Test
  void answeredCallsThroughTheTrunksProxyChallenge() throws Exception {
    CallStats stats = run(DemoNumbers.ECHO, "trunk-secret", 5);
    assertEquals(5, stats.attempted.sum());
    assertEquals(5, stats.challenged.sum());
    assertEquals(5, stats.answered.sum());
    assertEquals(5, stats.completed.sum());
    assertEquals(Map.of(), stats.failuresByReason());
    assertEquals(5, stats.teardown.count());
  }

  @Test
  void busyNumberIsCountedAs486() throws Exception {
    CallStats stats = run(DemoNumbers.BUSY, "trunk-secret", 3);
    assertEquals(0, stats.answered.sum());
    assertEquals(Map.of("486", 3L), stats.failuresByReason());
  }

  @Test
  void wrongTrunkPasswordFailsEveryCall() throws Exception {
    CallStats stats = run(DemoNumbers.ECHO, "not-the-secret", 3);
    assertEquals(0, stats.answered.sum());
    assertEquals(3, stats.failedTotal(), stats.failuresByReason().toString());
  }
}

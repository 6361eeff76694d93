package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mileage.bench.Main;
import dev.mileage.fixtures.sip.DemoNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench calls --mode capacity}: the rates in turn over real sockets, each step a run of its own, stopping at
 * the first step with a failed call or a setup p99 at or over the objective; the highest rate that met it is reported.
 */
@Timeout(180)
class CallsCapacityTest {
  @TempDir
  Path dir;

  private JsonObject run(String... args) throws Exception {
    return BenchCli.json(dir, args);
  }

  private static JsonObject step(JsonObject report, int i) {
    return report.getJsonArray("capacitySteps").getJsonObject(i);
  }

  @Test
  void everyRateThatMeetsTheObjectiveIsRunAndTheHighestIsReported() throws Exception {
    JsonObject r = run("calls", "--direct", "--mode", "capacity", "--rates", "5,10", "--duration", "1s",
        "--warmup", "0s", "--hold", "100ms", "--slo-setup-p99", "2s");
    JsonArray steps = r.getJsonArray("capacitySteps");
    assertEquals(2, steps.size(), r.encode());
    assertEquals(5L, step(r, 0).getLong("callsAnswered"));
    assertEquals(10L, step(r, 1).getLong("callsAnswered"));
    assertTrue(step(r, 0).getBoolean("objectiveMet") && step(r, 1).getBoolean("objectiveMet"), r.encode());
    assertEquals(10.0, r.getDouble("capacityCallsPerSecondWithinObjective"));
    assertEquals(-1.0, r.getDouble("capacityFirstFailingCallsPerSecond"));
    // the figures are the highest passing step's, not a sum of the steps
    assertEquals(10L, r.getLong("callsAttempted"));
    assertEquals(10.0, r.getJsonObject("settings").getDouble("ratePerSecond"));
    assertTrue(r.getJsonArray("notes").encode().contains("every rate asked for met it"), r.encode());
  }

  @Test
  void theFirstStepWhoseSetupP99MissesTheObjectiveEndsTheRun() throws Exception {
    // one call in flight at a time, each held 500 ms: 1/s never waits, 20/s queues for seconds (the wait counts)
    JsonObject r = run("calls", "--direct", "--mode", "capacity", "--rates", "1,20,40", "--duration", "1s",
        "--warmup", "0s", "--hold", "500ms", "--concurrency-max", "1", "--slo-setup-p99", "2s");
    assertEquals(2, r.getJsonArray("capacitySteps").size(), "40/s never ran: " + r.encode());
    assertTrue(step(r, 0).getBoolean("objectiveMet"), r.encode());
    JsonObject failing = step(r, 1);
    assertFalse(failing.getBoolean("objectiveMet"));
    assertEquals(0L, failing.getLong("callsFailed"), "it failed on latency alone");
    assertTrue(failing.getDouble("setupLatencyMsP99") >= 2000, failing.encode());
    assertEquals(1.0, r.getDouble("capacityCallsPerSecondWithinObjective"));
    assertEquals(20.0, r.getDouble("capacityFirstFailingCallsPerSecond"));
    assertTrue(r.getJsonArray("notes").encode().contains("20.0 calls/s did not"), r.encode());
  }

  @Test
  void failedCallsFailTheStepWhateverTheLatency() throws Exception {
    JsonObject r = run("calls", "--direct", "--trunk-kind", "fixtures", "--number", DemoNumbers.BUSY, "--mode",
        "capacity", "--rates", "2,4", "--duration", "1s", "--warmup", "0s", "--hold", "100ms",
        "--slo-setup-p99", "10s");
    assertEquals(1, r.getJsonArray("capacitySteps").size(), r.encode());
    assertEquals(2L, step(r, 0).getLong("callsFailed"));
    assertEquals(2L, step(r, 0).getJsonObject("callsFailedByReason").getLong("486"));
    assertEquals(0.0, r.getDouble("capacityCallsPerSecondWithinObjective"));
    assertEquals(2.0, r.getDouble("capacityFirstFailingCallsPerSecond"));
    assertTrue(r.getJsonArray("notes").encode().contains("no step met the objective"), r.encode());
  }

  @Test
  void ratesMustIncreaseAndComeAlone() {
    for (String[] args : new String[][] {
        {"calls", "--direct", "--mode", "capacity", "--rates", "10,5"},
        {"calls", "--direct", "--mode", "capacity", "--rates", "0,5"},
        {"calls", "--direct", "--mode", "capacity", "--rate", "10"},
        {"calls", "--direct", "--mode", "capacity", "--slo-setup-p99", "0ms"}}) {
      CommandLine cli = Main.commandLine();
      StringWriter err = new StringWriter();
      cli.setErr(new PrintWriter(err));
      assertEquals(2, cli.execute(args), String.join(" ", args));
      assertTrue(err.toString().contains("--rate") || err.toString().contains("--slo-setup-p99"), err.toString());
    }
  }
}

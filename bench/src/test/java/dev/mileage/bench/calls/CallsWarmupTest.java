package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mileage.bench.Main;
import dev.mileage.fixtures.sip.DemoNumbers;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench calls --warmup}: the warm-up's calls run over real sockets before the measured run and are kept
 * out of its figures, but a failed warm-up call still counts against "zero failed calls".
 */
@Timeout(120)
class CallsWarmupTest {
  @TempDir
  Path dir;

  private JsonObject run(String... args) throws Exception {
    return BenchCli.json(dir, args);
  }

  @Test
  void warmUpCallsRunFirstAndStayOutOfTheMeasuredFigures() throws Exception {
    JsonObject r = run("calls", "--direct", "--rate", "10", "--duration", "1s", "--warmup", "1500ms", "--hold", "100ms");
    assertEquals(1.5, r.getJsonObject("settings").getDouble("warmupSeconds"));
    assertEquals(15L, r.getLong("warmupCallsAttempted"));
    assertEquals(15L, r.getLong("warmupCallsAnswered"));
    assertEquals(0L, r.getLong("warmupCallsFailed"));
    assertTrue(r.getDouble("warmupSetupLatencyMsP99") > 0);
    assertEquals(10L, r.getLong("callsAttempted"), "only the measured run's calls");
    assertEquals(10L, r.getLong("setupLatencyCount"));
    assertEquals(true, r.getBoolean("targetZeroFailedMet"));
  }

  @Test
  void failedWarmUpCallsCountAgainstZeroFailedCalls() throws Exception {
    JsonObject r = run("calls", "--direct", "--trunk-kind", "fixtures", "--number", DemoNumbers.BUSY,
        "--rate", "10", "--duration", "500ms", "--warmup", "500ms", "--hold", "100ms");
    assertEquals(5L, r.getLong("warmupCallsFailed"));
    assertEquals(5L, r.getLong("callsFailed"));
    assertEquals(false, r.getBoolean("targetZeroFailedMet"));
    assertTrue(r.getJsonArray("notes").encode().contains("warm-up: 5 calls failed"), r.encode());
  }

  @Test
  void noWarmUpWhenAskedAndNoneInConcurrentMode() throws Exception {
    JsonObject r = run("calls", "--direct", "--rate", "10", "--duration", "500ms", "--warmup", "0s", "--hold", "100ms");
    assertFalse(r.containsKey("warmupCallsAttempted"));
    assertEquals(5L, r.getLong("callsAttempted"));

    CommandLine cli = Main.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("calls", "--direct", "--mode", "concurrent", "--warmup", "5s"));
    assertTrue(err.toString().contains("--warmup is for rate mode"), err.toString());
  }
}

package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator end to end over loopback against {@link TestUas}: counts only, no timing assertions. */
@Timeout(60)
class CallLoadTest {
  private static final List<Subscriber> SUBSCRIBERS = List.of(
      new Subscriber("alice", "alice-secret", ""), new Subscriber("bob", "bob-secret", ""));
  private static final Map<String, String> PASSWORDS = Map.of("alice", "alice-secret", "bob", "bob-secret");

  private static CallStats run(String algorithm, UacEngine.Transport transport, Digest.Algorithm digest,
                               String number, List<Subscriber> subscribers, int calls) throws Exception {
    try (TestUas uas = new TestUas(algorithm, PASSWORDS)) {
      CallStats stats = new CallStats();
      UacEngine.Settings settings = new UacEngine.Settings("127.0.0.1", uas.port(), transport, digest,
          Duration.ofMillis(50), Duration.ofSeconds(10));
      try (UacEngine engine = new UacEngine(settings, stats, System::nanoTime)) {
        CallLoad.Plan plan = new CallLoad.Plan(50, calls, Duration.ofSeconds(5), 4, Duration.ofSeconds(20), number,
            subscribers);
        CallLoad.Result result = CallLoad.run(engine, plan);
        assertEquals(calls, result.pacing().started());
        assertEquals(0, result.unfinished());
        assertEquals(0, engine.callsInFlight());
      }
      if (number.startsWith("486") || subscribers.get(0).password().startsWith("wrong")) {
        assertEquals(0, uas.byes.get());
      } else {
        assertEquals(calls, uas.byes.get(), "every answered call hung up");
        assertEquals(calls, uas.authorized.get());
        assertTrue(uas.acks.get() >= calls, "every 200 acknowledged: " + uas.acks.get());
      }
      return stats;
    }
  }

  @Test
  void answeredCallsOverUdpWithSha256() throws Exception {
    CallStats stats = run("SHA-256", UacEngine.Transport.UDP, Digest.Algorithm.SHA_256, "+15550001000",
        SUBSCRIBERS, 6);
    assertEquals(6, stats.attempted.sum());
    assertEquals(6, stats.challenged.sum());
    assertEquals(6, stats.answered.sum());
    assertEquals(6, stats.completed.sum());
    assertEquals(0, stats.failedTotal(), stats.failuresByReason().toString());
    assertEquals(6, stats.setup.count());
    assertEquals(6, stats.teardown.count());
    assertTrue(stats.establishedMax() >= 1 && stats.establishedMax() <= 4, "cap of 4 respected");
    assertEquals(0, stats.establishedNow());
    assertEquals(0, stats.inProgressNow());
    assertEquals(6, stats.talkedCalls().size());
    assertEquals(Map.of("alice", 3L, "bob", 3L), stats.answeredByUser());
  }

  @Test
  void reportOfARunHasTheFiguresTheIssueNames() throws Exception {
    try (TestUas uas = new TestUas("SHA-256", PASSWORDS)) {
      CallStats stats = new CallStats();
      UacEngine.Settings settings = new UacEngine.Settings("127.0.0.1", uas.port(), UacEngine.Transport.UDP,
          Digest.Algorithm.SHA_256, Duration.ofMillis(50), Duration.ofSeconds(10));
      CallLoad.Plan plan = new CallLoad.Plan(20, 3, Duration.ofSeconds(5), 4, Duration.ofSeconds(20),
          "+15550001000", SUBSCRIBERS);
      CallLoad.Result result;
      UacEngine engine = new UacEngine(settings, stats, System::nanoTime);
      try {
        result = CallLoad.run(engine, plan);
      } finally {
        engine.close();
      }
      io.vertx.core.json.JsonObject json = dev.mileage.bench.report.ReportWriter.json(CallReport.build(
          java.time.Instant.now(), Map.of("mode", "rate"), plan, result, stats, engine,
          new CpuUse(-1, -1, 0.25), null, "rate", null, 0));
      assertFalse(json.containsKey("warmupCallsAttempted"), "no warm-up, no warm-up figures");
      assertEquals(3L, json.getLong("callsAttempted"));
      assertEquals(3L, json.getLong("callsAnswered"));
      assertEquals(0L, json.getLong("callsFailed"));
      assertTrue(json.getDouble("callsPerSecondAchieved") > 0);
      assertTrue(json.getDouble("setupLatencyMsP99") > 0);
      assertEquals(3L, json.getLong("setupLatencyCount"));
      assertTrue(json.getLong("concurrentCallsMax") >= 1);
      assertEquals(true, json.getBoolean("targetZeroFailedMet"));
      assertEquals(false, json.getBoolean("targetCallsPerSecondMet"), "20 calls/s is not the issue's 1,000");
      assertEquals("not run (no gateway in the path)", json.getString("ledgerCrossCheck"));
      assertEquals(250.0 / 3, json.getDouble("benchCpuMsPerCall"), 0.01, "0.25 CPU-seconds over 3 calls");
      assertFalse(json.containsKey("gatewayCpuMsPerCall"), "no gateway measured, no figure");
    }
  }

  @Test
  void answeredCallsOverTcpWithMd5() throws Exception {
    CallStats stats = run("MD5", UacEngine.Transport.TCP, Digest.Algorithm.MD5, "+15550001000", SUBSCRIBERS, 4);
    assertEquals(4, stats.answered.sum());
    assertEquals(4, stats.completed.sum());
    assertEquals(0, stats.failedTotal(), stats.failuresByReason().toString());
  }

  @Test
  void callsSpreadOverLoopbackSourcesAndSendRtpToTheAnswer() throws Exception {
    try (TestUas uas = new TestUas("SHA-256", PASSWORDS)) {
      CallStats stats = new CallStats();
      UacEngine.Settings settings = new UacEngine.Settings("127.0.0.1", uas.port(), UacEngine.Transport.UDP,
          Digest.Algorithm.SHA_256, Duration.ofMillis(300), Duration.ofSeconds(10), 3, Duration.ofMillis(100));
      try (UacEngine engine = new UacEngine(settings, stats, System::nanoTime)) {
        CallLoad.run(engine, new CallLoad.Plan(50, 6, Duration.ofSeconds(5), 6, Duration.ofSeconds(20),
            "+15550001000", SUBSCRIBERS));
        assertEquals(6, stats.completed.sum(), stats.failuresByReason().toString());
        assertTrue(engine.rtpPacketsSent() >= 6, "at least one packet per answered call");
        assertEquals(java.util.Set.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), uas.inviteSources);
        assertEquals(engine.rtpPacketsSent(), uas.rtpPacketsReceived(), "every packet reached the answer's port");
      }
    }
  }

  @Test
  void unansweredCallsAreCancelledAtTheSetupTimeout() throws Exception {
    try (TestUas uas = new TestUas("MD5", PASSWORDS)) {
      CallStats stats = new CallStats();
      UacEngine.Settings settings = new UacEngine.Settings("127.0.0.1", uas.port(), UacEngine.Transport.UDP,
          Digest.Algorithm.MD5, Duration.ofMillis(50), Duration.ofMillis(500));
      try (UacEngine engine = new UacEngine(settings, stats, System::nanoTime)) {
        CallLoad.Result result = CallLoad.run(engine, new CallLoad.Plan(20, 2, Duration.ofSeconds(5), 4,
            Duration.ofSeconds(20), "1805550000", SUBSCRIBERS));
        assertEquals(0, result.unfinished());
        assertEquals(Map.of("setup-timeout", 2L), stats.failuresByReason());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (uas.cancels.get() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(2, uas.cancels.get(), "a CANCEL for each ringing call");
      }
    }
  }

  @Test
  void busyCallsAreCountedByResponseCode() throws Exception {
    CallStats stats = run("SHA-256", UacEngine.Transport.UDP, Digest.Algorithm.SHA_256, "4865550000", SUBSCRIBERS, 3);
    assertEquals(3, stats.attempted.sum());
    assertEquals(0, stats.answered.sum());
    assertEquals(Map.of("486", 3L), stats.failuresByReason());
    assertEquals(0, stats.setup.count(), "failed calls have no setup latency");
  }

  @Test
  void wrongPasswordIsAFailedCallNotALoop() throws Exception {
    CallStats stats = run("MD5", UacEngine.Transport.UDP, Digest.Algorithm.MD5, "+15550001000",
        List.of(new Subscriber("alice", "wrong-password", "")), 2);
    assertEquals(2, stats.challenged.sum());
    assertEquals(Map.of("403", 2L), stats.failuresByReason());
  }
}

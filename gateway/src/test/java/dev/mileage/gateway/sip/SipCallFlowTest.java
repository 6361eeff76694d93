package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.NumberScript;
import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.fixtures.sip.UacCall;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.UsageRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls from a phone through the B2BUA to the simulated PSTN, over real loopback sockets, billed by the real meter. */
class SipCallFlowTest {
  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static TestUac alice;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t
        .withNumber("+15557000001", NumberScript.answer().withHangupAfter(Duration.ofSeconds(2)))
        .withNumber("+15557000002", NumberScript.answerAfter(Duration.ofMillis(300)))
        .withNumber("+15557000003", NumberScript.answerAfter(Duration.ofMillis(400)).withAnswerDespiteCancel()), o -> o);
    bed.member("member:1", "alice", 10_000);
    alice = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD));
  }

  @AfterAll
  static void stop() throws Exception {
    if (alice != null) alice.close();
    if (bed != null) bed.close();
  }

  @AfterEach
  void idle() throws Exception {
    bed.awaitIdle();
  }

  @Test
  void answeredCallIsMeteredFromAnswerAndEndedByCallerBye() throws Exception {
    long before = bed.balance("member:1");
    UacCall call = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, call.awaitFinal(WAIT));
    assertTrue(call.codes().contains(401), "the first INVITE is challenged");
    TrunkCall far = bed.trunk.awaitCall(DemoNumbers.ECHO, WAIT).orElseThrow();
    assertTrue(far.awaitAnswered(WAIT));
    assertEquals("alice", far.fromUser());
    Thread.sleep(1200); // a real second of talk: the meter bills wall time from the answer
    assertEquals(200, call.bye(WAIT));
    assertTrue(far.awaitEnded(WAIT));
    assertEquals(TrunkCall.End.CALLER_BYE, far.end());
    UsageRecord cdr = bed.cdr("member:1", call.callId());
    long cdrSeenMs = System.currentTimeMillis();
    assertEquals(EndReason.CALLER_HANGUP, cdr.reason());
    assertEquals("+15550100001", cdr.destination());
    // At least the 1.2 s the test waited after the 200 (which the gateway sent after its answer), and at most until
    // the test read the CDR, counted from the CDR's answer time: the gateway stops the meter after it has answered
    // the BYE and sent its own to the trunk, and writes the CDR after that. (A fixed "at most 3 s" failed whenever
    // the SIP round trips of a loaded machine took 1.8 s; "the BYE's 200 + 100 ms" failed whenever the gateway's
    // thread stalled longer than that between its answer and its clock, across a second boundary.)
    assertNotNull(cdr.answeredAt());
    long untilCdrSeconds = (cdrSeenMs - cdr.answeredAt().toEpochMilli() + 999) / 1000;
    assertTrue(cdr.billedSeconds() >= 2 && cdr.billedSeconds() <= untilCdrSeconds,
        "billed " + cdr.billedSeconds() + " s, the CDR was read within " + untilCdrSeconds + " s");
    assertEquals(cdr.billedSeconds(), cdr.points(), "a point a second");
    assertEquals(before - cdr.points(), bed.balance("member:1"), "exactly the CDR's points left the account");
  }

  @Test
  void calleeHangupEndsTheCallerLeg() throws Exception {
    UacCall call = alice.invite("+15557000001");
    assertEquals(200, call.awaitFinal(WAIT));
    assertTrue(call.awaitBye(WAIT), "the gateway relays the trunk's BYE");
    UsageRecord cdr = bed.cdr("member:1", call.callId());
    long cdrSeenMs = System.currentTimeMillis();
    assertEquals(EndReason.CALLEE_HANGUP, cdr.reason());
    // From the gateway's own answer time (the CDR's) to its BYE: at least until the trunk hung up, 2 s after its
    // answer, and at most until the test read the CDR (written after the meter stopped). A fixed 2..3 s failed
    // whenever a loaded machine delayed the 200 or the BYE by a second, and "the caller had the BYE + 100 ms"
    // whenever the gateway's thread stalled longer between relaying the BYE and reading its clock.
    TrunkCall far = bed.trunk.calls().stream().filter(t -> t.number().equals("+15557000001") && t.answeredAt() != null)
        .reduce((x, y) -> y).orElseThrow();
    long answeredMs = cdr.answeredAt().toEpochMilli();
    long atLeastSeconds = (far.answeredAt().toEpochMilli() + 2000 - answeredMs + 999) / 1000;
    long atMostSeconds = (cdrSeenMs - answeredMs + 999) / 1000;
    assertTrue(cdr.billedSeconds() >= atLeastSeconds && cdr.billedSeconds() <= atMostSeconds,
        "billed " + cdr.billedSeconds() + " s, expected " + atLeastSeconds + ".." + atMostSeconds);
  }

  @Test
  void ringingIsRelayedThenAnswered() throws Exception {
    UacCall call = alice.invite("+15557000002");
    assertTrue(call.awaitCode(180, WAIT));
    assertEquals(200, call.awaitFinal(WAIT));
    assertEquals(200, call.bye(WAIT));
  }

  @Test
  void trunkFailuresAreRelayedWithTheirCodesAndNothingIsBilled() throws Exception {
    long before = bed.balance("member:1");
    assertEquals(486, alice.invite(DemoNumbers.BUSY).awaitFinal(WAIT));
    assertEquals(404, alice.invite(DemoNumbers.NOT_FOUND).awaitFinal(WAIT));
    assertEquals(480, alice.invite(DemoNumbers.UNAVAILABLE).awaitFinal(WAIT));
    UacCall failed = alice.invite(DemoNumbers.TRUNK_FAILURE);
    assertEquals(500, failed.awaitFinal(WAIT), "RFC 3261 16.7: a trunk's 503 is not passed on");
    UsageRecord cdr = bed.cdr("member:1", failed.callId());
    assertEquals(0, cdr.points());
    assertEquals(0, cdr.billedSeconds());
    bed.awaitIdle();
    assertEquals(before, bed.balance("member:1"), "failed calls cost nothing and hold nothing");
  }

  @Test
  void cancelWhileRingingCancelsTheTrunkAndBillsNothing() throws Exception {
    long before = bed.balance("member:1");
    UacCall call = alice.invite(DemoNumbers.NO_ANSWER);
    assertTrue(call.awaitCode(180, WAIT));
    TrunkCall far = bed.trunk.awaitCall(DemoNumbers.NO_ANSWER, WAIT).orElseThrow();
    assertEquals(200, call.cancel(WAIT));
    assertEquals(487, call.awaitFinal(WAIT));
    assertTrue(far.awaitEnded(WAIT));
    assertEquals(TrunkCall.End.CANCELLED, far.end());
    assertEquals(EndReason.CANCELLED, bed.cdr("member:1", call.callId()).reason());
    bed.awaitIdle();
    assertEquals(before, bed.balance("member:1"));
  }

  @Test
  void dialStringTricksAndInvalidNumbersNeverReachTheTrunk() throws Exception {
    int before = bed.trunk.calls().size();
    for (String bad : new String[] {"15550100001", "+1555010000#", "+1555*0100001", "+1555abc", "+1234567890123456",
        "+0155501", "+1", "alice", "+15550100001,,123", "00", "*69"}) {
      UacCall call = alice.invite(bad);
      assertEquals(484, call.awaitFinal(WAIT), bad);
    }
    assertEquals(403, alice.invite("+19005550100").awaitFinal(WAIT), "premium numbers are blocked");
    assertEquals(403, alice.invite("+88234567890").awaitFinal(WAIT), "blocked prefix");
    assertEquals(404, alice.invite("+8613800000000").awaitFinal(WAIT), "no tariff for China");
    assertEquals(before, bed.trunk.calls().size(), "none of these reached the trunk");
  }

  @Test
  void aCallerCannotPickTheCarrierNorSmuggleIdentityOrRoutingHeadersToIt() throws Exception {
    // the Request-URI names another carrier, and the INVITE carries headers a trunk might trust
    TestUac.Options o = TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD);
    try (TestUac sneaky = TestUac.start(new TestUac.Options(o.host(), o.transport(), o.user(), o.password(),
        "carrier.attacker.example:5099", o.proxyHost(), o.proxyPort(), o.seed()))) {
      UacCall call = sneaky.invite(DemoNumbers.ECHO, TestUac.InviteOptions.plain()
          .header("P-Asserted-Identity: <sip:+15550000000@carrier.attacker.example>")
          .header("Remote-Party-ID: <sip:+15550000000@carrier.attacker.example>;party=calling")
          .header("Diversion: <sip:+19005550100@carrier.attacker.example>;reason=unconditional")
          .header("P-Charge-Info: <sip:+15550000001@carrier.attacker.example>"));
      assertEquals(200, call.awaitFinal(WAIT));
      TrunkCall far = bed.trunk.call(callIdAtTrunk(call)).orElseThrow();
      assertEquals(DemoNumbers.ECHO, far.number(), "our trunk got it, whatever host the caller named");
      assertEquals("alice", far.fromUser(), "the trunk sees the authenticated subscriber");
      for (String smuggled : List.of("p-asserted-identity", "remote-party-id", "diversion", "p-charge-info", "route")) {
        assertTrue(!far.inviteHeaders().contains(smuggled), smuggled + " reached the trunk: " + far.inviteHeaders());
      }
      assertEquals(200, call.bye(WAIT));
    }
  }

  /** The trunk leg's Call-ID of the caller's call (the B2BUA makes a new one). */
  static String callIdAtTrunk(UacCall call) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (TrunkCall c : bed.trunk.calls()) {
        if (c.answeredAt() != null && c.end() == TrunkCall.End.NONE && c.fromUser().equals("alice")) return c.callId();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the call never reached the trunk");
  }

  @Test
  void internationalPrefixAndSeparatorsAreNormalized() throws Exception {
    UacCall call = alice.invite("0015550100001");
    assertEquals(200, call.awaitFinal(WAIT));
    assertEquals(200, call.bye(WAIT));
    assertEquals("+15550100001", bed.cdr("member:1", call.callId()).destination());
  }

  @Test
  void callingOnSomeoneElsesAccountIsForbidden() throws Exception {
    bed.member("member:2", "bob", 500);
    int before = bed.trunk.calls().size();
    UacCall call = alice.invite(DemoNumbers.ECHO, TestUac.InviteOptions.plain().from("bob"));
    assertEquals(403, call.awaitFinal(WAIT), "alice's credentials with bob's From");
    assertEquals(before, bed.trunk.calls().size());
  }

  @Test
  void memberWithoutBalanceGets402() throws Exception {
    bed.member("member:3", "carol", 0);
    try (TestUac carol = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "carol", SipTestBed.PASSWORD))) {
      assertEquals(402, carol.invite(DemoNumbers.ECHO).awaitFinal(WAIT));
    }
  }

  @Test
  void exhaustionEndsBothLegsAtTheExactSecondAndBillsExactly() throws Exception {
    bed.member("member:4", "dave", 3);
    try (TestUac dave = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "dave", SipTestBed.PASSWORD))) {
      UacCall call = dave.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      TrunkCall far = bed.trunk.calls().stream().filter(c -> c.fromUser().equals("dave")).findFirst().orElseThrow();
      assertTrue(call.awaitBye(WAIT), "the caller gets BYE when the balance runs out");
      assertTrue(far.awaitEnded(WAIT));
      assertEquals(TrunkCall.End.CALLER_BYE, far.end(), "the trunk gets the gateway's BYE");
      UsageRecord cdr = bed.cdr("member:4", call.callId());
      assertEquals(EndReason.BALANCE_EXHAUSTED, cdr.reason());
      assertEquals(3, cdr.billedSeconds());
      assertEquals(3, cdr.points());
      assertEquals(0, bed.balance("member:4"), "all 3 points spent, not one more");
      long talkedMs = far.connected().toMillis();
      assertTrue(talkedMs >= 2500 && talkedMs <= 4500, "ended at the third second, trunk measured " + talkedMs + " ms");
    }
  }

  @Test
  void optionsIsAnswered() throws Exception {
    assertEquals(200, alice.options(WAIT));
  }

  @Test
  void registerBindsAfterAuthentication() throws Exception {
    assertEquals(200, alice.register(600, WAIT));
    assertEquals(200, alice.register(0, WAIT));
  }

  @Test
  void tcpCallsWorkToo() throws Exception {
    try (TestUac tcp = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD).tcp())) {
      UacCall call = tcp.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      assertEquals(200, call.bye(WAIT));
    }
  }

  @Test
  void holdAndResumeAreRelayedToTheTrunk() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, call.awaitFinal(WAIT));
    TrunkCall far = bed.trunk.calls().stream().filter(c -> c.reinvites() == 0 && c.end() == TrunkCall.End.NONE)
        .findFirst().orElseThrow();
    assertEquals(200, call.reinvite("sendonly", WAIT));
    assertEquals("sendonly", far.lastOfferDirection());
    assertEquals(200, call.reinvite("sendrecv", WAIT));
    assertEquals("sendrecv", far.lastOfferDirection());
    assertEquals(200, call.bye(WAIT));
    assertFalse(call.byeReceived());
  }

  /** The far end holds (a re-INVITE on the trunk's dialog): relayed to the caller, answered back. */
  @Test
  void holdFromTheFarEndIsRelayedToTheCaller() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, call.awaitFinal(WAIT));
    try {
      TrunkCall far = bed.trunk.calls().stream().filter(c -> c.reinvites() == 0 && c.end() == TrunkCall.End.NONE)
          .reduce((first, second) -> second).orElseThrow();
      var held = bed.trunk.reinvite(far.callId(), "sendonly").get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(200, held.getStatusCode());
      assertEquals(1, call.reinvitesReceived(), "the caller got the hold");
      String answer = new String(held.getRawContent(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(answer.contains("o=mileage ") && answer.contains("m=audio ") && !answer.contains("o=- "),
          "the caller's answer, rewritten by the gateway: " + answer);
      var resumed = bed.trunk.reinvite(far.callId(), "sendrecv").get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(200, resumed.getStatusCode());
      assertEquals(2, call.reinvitesReceived());
    } finally {
      assertEquals(200, call.bye(WAIT));
    }
  }

  @Test
  void cancelCrossingTheTrunksAnswerHangsUpTheTrunkAndBillsNothing() throws Exception {
    long before = bed.balance("member:1");
    UacCall call = alice.invite("+15557000003");
    assertTrue(call.awaitCode(180, WAIT));
    assertEquals(200, call.cancel(WAIT));
    assertEquals(487, call.awaitFinal(WAIT), "the caller's CANCEL won at the gateway");
    TrunkCall far = bed.trunk.awaitCall("+15557000003", WAIT).orElseThrow();
    assertTrue(far.awaitAnswered(WAIT), "but the trunk answered anyway (its 200 crossed our CANCEL)");
    assertTrue(far.awaitEnded(WAIT));
    assertEquals(TrunkCall.End.CALLER_BYE, far.end(), "the gateway ACKs and BYEs the late answer");
    UsageRecord cdr = bed.cdr("member:1", call.callId());
    assertEquals(EndReason.CANCELLED, cdr.reason());
    assertEquals(0, cdr.points());
    bed.awaitIdle();
    assertEquals(before, bed.balance("member:1"));
  }

  @Test
  void cancelAfterTheAnswerHasNoEffect() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, call.awaitFinal(WAIT));
    int code = call.cancel(WAIT);
    assertTrue(code == 200 || code == 481, "RFC 3261 9.2: the CANCEL changes nothing, got " + code);
    assertFalse(call.byeReceived());
    assertEquals(1, bed.liveCalls());
    assertEquals(200, call.bye(WAIT));
  }

  @Test
  void operatorCanListAndEndLiveCalls() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, call.awaitFinal(WAIT));
    java.util.List<LiveCall> live = SipTestBed.await(bed.sip.liveCalls());
    assertEquals(1, live.size());
    assertEquals("member:1", live.get(0).owner());
    assertEquals("+15550100001", live.get(0).number());
    assertEquals("ANSWERED", live.get(0).state());
    assertFalse(SipTestBed.await(bed.sip.endCall("no-such-call")));
    assertTrue(SipTestBed.await(bed.sip.endCall(live.get(0).id())));
    assertTrue(call.awaitBye(WAIT));
    assertEquals(EndReason.OPERATOR, bed.cdr("member:1", call.callId()).reason());
  }
}

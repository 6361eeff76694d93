package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.fixtures.sip.UacCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trunk that challenges the gateway (outbound digest credentials), and one that is lossy and slow. */
class SipTrunkAuthTest {
  @TempDir
  static Path dataDir;
  static SipTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t.withChallenge("gateway-7", "trunk-s3cret"),
        o -> o.withTrunkCredentials("gateway-7", "trunk-s3cret"));
    bed.member("member:1", "alice", 10_000);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @Test
  void gatewayAnswersTheTrunksChallenge() throws Exception {
    try (TestUac alice = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD))) {
      UacCall call = alice.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      TrunkCall far = bed.trunk.awaitCall(DemoNumbers.ECHO, WAIT).orElseThrow();
      assertTrue(far.authorized());
      assertEquals(200, call.bye(WAIT));
    }
    bed.awaitIdle();
  }

  @Test
  void wrongTrunkCredentialsGive502AndNoCharge() throws Exception {
    SipOptions wrong = SipOptions.defaults("127.0.0.1", 0, bed.trunk.uri())
        .withTimers(Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofSeconds(60))
        .withRtpPorts(SipTestBed.SECOND_RTP_PORT_BASE, SipTestBed.SECOND_RTP_PORT_BASE + 98)
        .withTrunkCredentials("gateway-7", "not-the-password");
    SipVerticle second = new SipVerticle(wrong, bed.subscribers, () -> bed.meter, bed.clock);
    String id = SipTestBed.await(bed.vertx.deployVerticle(second));
    try (TestUac alice = TestUac.start(TestUac.Options.to("127.0.0.1", second.port(), "alice", SipTestBed.PASSWORD))) {
      long before = bed.balance("member:1");
      UacCall call = alice.invite(DemoNumbers.ECHO);
      assertEquals(502, call.awaitFinal(WAIT));
      assertEquals(0, bed.cdr("member:1", call.callId()).points());
      assertEquals(before, bed.balance("member:1"));
    } finally {
      SipTestBed.await(bed.vertx.undeploy(id));
    }
  }
}

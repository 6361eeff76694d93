package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.Announcement;
import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.Sdp;
import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.UacCall;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.UsageRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sip.message.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated PSTN's recorded announcement through the gateway: as early media before a rejection
 * (183 with SDP, anchored, then 404, free) and as an answered service (billed, the far end hangs up).
 */
class SipAnnouncementTest {
  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static TestUac alice;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o);
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

  /** Where {@code heard} starts inside {@code announcement}; it must then match it to its end. */
  static int offsetIn(byte[] announcement, byte[] heard) {
    for (int at = 0; at + 160 <= announcement.length; at += 160) {
      if (java.util.Arrays.equals(announcement, at, at + 160, heard, 0, 160)) return at;
    }
    return -1;
  }

  @Test
  void earlyMediaAnnouncementReachesTheCallerThenTheRejectionAndNothingIsBilled() throws Exception {
    long before = bed.balance("member:1");
    byte[] announcement = Announcement.notInService();
    UacCall call = alice.invite(DemoNumbers.NOT_IN_SERVICE);
    assertTrue(call.awaitCode(183, WAIT), "the trunk's 183 is relayed");
    Response progress = call.responses().stream().filter(r -> r.getStatusCode() == 183).findFirst().orElseThrow();
    Sdp early = Sdp.parse(new String(progress.getRawContent(), StandardCharsets.UTF_8));
    assertNotEquals(call.media().port(), early.port(), "early media is anchored too: a gateway port");
    assertEquals(404, call.awaitFinal(WAIT));
    byte[] heard = call.media().recordedAudio();
    assertTrue(heard.length >= announcement.length / 2, "the caller heard the announcement: " + heard.length + " bytes");
    int at = offsetIn(announcement, heard);
    assertTrue(at >= 0, "what the caller heard is the announcement");
    int n = Math.min(heard.length, announcement.length - at);
    assertTrue(java.util.Arrays.equals(announcement, at, at + n, heard, 0, n), "unaltered, in order (G.711 passes through)");
    bed.awaitIdle(); // the call's grant reservation is voided once the meter has stopped the session
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (bed.balance("member:1") != before && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(before, bed.balance("member:1"), "an announcement before a rejection is free: the grant is released");
    assertEquals(0, bed.cdrNow("member:1", call.callId()).map(UsageRecord::billedSeconds).orElse(0L).longValue());
  }

  @Test
  void anAnnouncementServiceIsAnsweredPlayedHungUpAndBilled() throws Exception {
    long before = bed.balance("member:1");
    UacCall call = alice.invite(DemoNumbers.ANNOUNCEMENT);
    assertEquals(200, call.awaitFinal(WAIT));
    assertTrue(call.awaitBye(WAIT), "the far end hangs up when the announcement has played");
    int at = offsetIn(Announcement.notInService(), call.media().recordedAudio());
    assertTrue(at >= 0 && call.media().recordedAudio().length > 8000, "about four seconds of announcement heard");
    UsageRecord cdr = bed.cdr("member:1", call.callId());
    assertEquals(EndReason.CALLEE_HANGUP, cdr.reason());
    assertTrue(cdr.billedSeconds() >= 3 && cdr.billedSeconds() <= 6, "billed " + cdr.billedSeconds());
    assertEquals(before - cdr.billedSeconds(), bed.balance("member:1"), "a point a second");
  }

}

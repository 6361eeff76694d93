package dev.mileage.gateway.sip;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static dev.mileage.gateway.sip.SipDialogConformanceTest.finalFor;
import static dev.mileage.gateway.sip.SipDialogConformanceTest.offer;
import static dev.mileage.gateway.sip.SipDialogConformanceTest.param;
import static dev.mileage.gateway.sip.SipDialogConformanceTest.request;
import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 3261 14.1 glare: a caller's re-INVITE while the gateway's own re-INVITE to it (a session refresh) is
 * unanswered gets 491, not the 500 of RFC 3261 14.2 (which is for a second INVITE while the caller's own first one
 * is unanswered, see {@link SipDialogConformanceTest}). The caller is a raw socket that holds the refresh unanswered.
 */
class SipGlareTest {
  /** The caller's Session-Expires without timer support: the gateway refreshes with re-INVITE at half of it. */
  static final int SESSION_EXPIRES_SECONDS = 20;

  @TempDir
  static Path dataDir;
  static SipTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o);
    bed.member("member:1", "alice", 100_000);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @AfterEach
  void idle() throws Exception {
    bed.awaitIdle();
  }

  @Test
  void aReinviteWhileOurRefreshReinviteIsUnansweredGets491() throws Exception {
    String number = "+15550100107";
    String callId = UUID.randomUUID().toString();
    try (RawSip raw = new RawSip(bed.sip.port())) {
      // no Supported: timer, no Allow: UPDATE: the gateway refreshes with re-INVITE (RFC 4028)
      List<RawSip.Reply> replies = SipDialogConformanceTest.rawCall(raw, number, callId,
          "Session-Expires: " + SESSION_EXPIRES_SECONDS + "\n", offer(40030, 1));
      RawSip.Reply ok = replies.get(replies.size() - 1);
      assertEquals(200, ok.code(), ok.text());
      SipDialogConformanceTest.Answered a = new SipDialogConformanceTest.Answered(null, null, number, callId,
          SipDialogConformanceTest.RAW_FROM_TAG, param(ok.first("to"), "tag"), 2);
      raw.send(request(raw, "ACK", a, a.fromTag(), a.toTag(), 2, null));

      String refresh = raw.request("INVITE", (SESSION_EXPIRES_SECONDS + 5) * 1000);
      assertNotNull(refresh, "the gateway's refresh re-INVITE within the session interval");
      // left unanswered: our re-INVITE now crosses the gateway's (RFC 3261 14.1)
      String ours = request(raw, "INVITE", a, a.fromTag(), a.toTag(), 3, offer(40030, 2));
      raw.send(ours);
      RawSip.Reply glare = finalFor(raw.until(r -> r.code() >= 200 && r.first("cseq").startsWith("3 "),
          (int) WAIT.toMillis()), "INVITE");
      assertEquals(491, glare.code(), "glare stays 491: " + glare.text());
      raw.send(SipDialogConformanceTest.ackOfFailure(ours));

      raw.send(okFor(raw, refresh, offer(40030, 2)));
      raw.send(request(raw, "BYE", a, a.fromTag(), a.toTag(), 4, null));
      assertEquals(200, finalFor(raw.until(r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE"),
          (int) WAIT.toMillis()), "BYE").code());
    }
  }

  /** A 200 with {@code sdp} for the request {@code text} the gateway sent us. */
  static String okFor(RawSip raw, String text, String sdp) {
    StringBuilder s = new StringBuilder("SIP/2.0 200 OK\n");
    for (String line : text.substring(0, text.indexOf("\r\n\r\n")).split("\r\n")) {
      String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase() : "";
      if (List.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq").contains(name)) s.append(line).append('\n');
    }
    return s.append("Contact: <sip:alice@").append(raw.via()).append(">\nContent-Type: application/sdp\nContent-Length: ").append(sdp.length())
        .append("\n\n").append(sdp).toString();
  }
}

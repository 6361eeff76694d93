package dev.mileage.gateway.sip;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-source limits over real UDP on loopback: retransmissions of a transaction (a phone on a lossy
 * link, a load generator waiting on a slow gateway) never get a source banned; new transactions beyond
 * the limit and scanners do. Password guessing is {@link SipAuthTest}'s.
 */
class SipFloodTest {
  static final int REQUESTS_PER_SECOND = 5;
  static final int QUIET_MS = 700;

  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static int sequence;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o.withLimits(2, 100, REQUESTS_PER_SECOND, 10));
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  @AfterEach
  void liftBans() throws Exception {
    SipTestBed.await(bed.sip.unban("127.0.0.1"));
  }

  static String options(RawSip raw, String branch, String callId, String userAgent) {
    return "OPTIONS sip:127.0.0.1 SIP/2.0\n"
        + "Via: SIP/2.0/UDP " + raw.via() + ";branch=z9hG4bK-" + branch + "\n"
        + "From: <sip:probe@127.0.0.1>;tag=" + branch + "\n"
        + "To: <sip:127.0.0.1>\n"
        + "Call-ID: " + callId + "\n"
        + "CSeq: 1 OPTIONS\n"
        + "Max-Forwards: 70\n"
        + (userAgent == null ? "" : "User-Agent: " + userAgent + "\n")
        + "Content-Length: 0\n\n";
  }

  static Set<String> answeredCallIds(List<RawSip.Reply> replies) {
    Set<String> ids = new HashSet<>();
    for (RawSip.Reply r : replies) if (r.code() == 200) ids.add(r.first("call-id"));
    return ids;
  }

  @Test
  void retransmissionsFromALossyLinkNeverBanTheSource() throws Exception {
    try (RawSip phone = new RawSip(bed.sip.port())) {
      // as many transactions as the limit allows, each sent the most times RFC 3261's timers allow,
      // all in one burst: far more datagrams than the limit, but no more transactions
      Set<String> sent = new HashSet<>();
      for (int t = 0; t < REQUESTS_PER_SECOND - 1; t++) {
        String id = "lossy-" + (++sequence);
        sent.add(id);
        String request = options(phone, id, id, "phone/1.0");
        for (int i = 0; i < SourceGuard.SENDS_PER_TRANSACTION_MAX; i++) phone.send(request);
      }
      // answers until every transaction has one (bounded), then QUIET_MS more for the retransmissions' answers:
      // QUIET_MS of silence alone also ended the wait for the first answers, short on a loaded machine
      Set<String> answered = new HashSet<>();
      List<RawSip.Reply> replies = new java.util.ArrayList<>(phone.until(
          r -> r.code() == 200 && answered.add(r.first("call-id")) && answered.containsAll(sent), (int) WAIT.toMillis()));
      replies.addAll(phone.receive(QUIET_MS));
      assertEquals(sent, answeredCallIds(replies), "every transaction answered");
      String id = "after-" + (++sequence);
      phone.send(options(phone, id, id, "phone/1.0"));
      Set<String> after = answeredCallIds(phone.until(r -> r.code() == 200 && id.equals(r.first("call-id")), (int) WAIT.toMillis()));
      after.removeAll(sent); // a late answer to a retransmission of the burst
      assertEquals(Set.of(id), after, "and the source is not banned");
    }
  }

  @Test
  void newTransactionsBeyondTheLimitGetTheSourceBanned() throws Exception {
    try (RawSip flooder = new RawSip(bed.sip.port())) {
      int sent = 4 * REQUESTS_PER_SECOND;
      for (int t = 0; t < sent; t++) {
        String id = "flood-" + (++sequence);
        flooder.send(options(flooder, id, id, "phone/1.0"));
      }
      // the first REQUESTS_PER_SECOND answers are awaited (bounded), then any more until QUIET_MS of silence
      Set<String> first = new HashSet<>();
      List<RawSip.Reply> replies = new java.util.ArrayList<>(flooder.until(
          r -> r.code() == 200 && first.add(r.first("call-id")) && first.size() >= REQUESTS_PER_SECOND, (int) WAIT.toMillis()));
      replies.addAll(flooder.receive(QUIET_MS));
      int answered = answeredCallIds(replies).size();
      // the burst may straddle a second boundary: at most two windows' worth get through
      assertTrue(answered >= REQUESTS_PER_SECOND && answered <= 2 * REQUESTS_PER_SECOND, "answered " + answered);
      String id = "later-" + (++sequence);
      flooder.send(options(flooder, id, id, "phone/1.0"));
      assertEquals(Set.of(), answeredCallIds(flooder.receive(QUIET_MS)), "banned: dropped without an answer");
    }
  }

  @Test
  void scannersAreBannedAtTheirFirstRequest() throws Exception {
    try (RawSip scanner = new RawSip(bed.sip.port())) {
      String id = "scan-" + (++sequence);
      scanner.send(options(scanner, id, id, "friendly-scanner"));
      assertEquals(List.of(), scanner.receive(QUIET_MS), "a scanner learns nothing, not even that SIP runs here");
      id = "scan-" + (++sequence);
      scanner.send(options(scanner, id, id, "Linphone/5.2"));
      assertEquals(List.of(), scanner.receive(QUIET_MS), "a changed User-Agent does not lift the ban");
    }
  }
}

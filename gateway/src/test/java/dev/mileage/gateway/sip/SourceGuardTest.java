package dev.mileage.gateway.sip;

import dev.mileage.gateway.MutableClock;
import org.junit.jupiter.api.Test;

import javax.sip.SipFactory;
import javax.sip.message.Request;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceGuardTest {
  static MutableClock clock() {
    return new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  }

  static int transaction;

  /** A new transaction each call, as a phone or a load generator makes them. */
  static String next() {
    return "INVITE z9hG4bK-" + (++transaction);
  }

  @Test
  void floodIsBannedForTheBanDurationThenForgiven() {
    MutableClock clock = clock();
    SourceGuard guard = new SourceGuard(10, 5, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 10; i++) assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", next()));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone", next()));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.8", "phone", next()), "other sources are not affected");
    clock.advance(Duration.ofSeconds(30));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone", next()));
    clock.advance(Duration.ofSeconds(31));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", next()));
    assertEquals(1, guard.bans());
  }

  @Test
  void requestsAreCountedPerSecond() {
    MutableClock clock = clock();
    SourceGuard guard = new SourceGuard(10, 5, Duration.ofMinutes(1), clock);
    for (int s = 0; s < 5; s++) {
      for (int i = 0; i < 10; i++) assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", null, next()));
      clock.advance(Duration.ofSeconds(1));
    }
  }

  @Test
  void retransmissionsOfOneTransactionCountOnce() {
    MutableClock clock = clock();
    SourceGuard guard = new SourceGuard(3, 5, Duration.ofMinutes(1), clock);
    // three phones' worth of transactions, each sent the most times RFC 3261 allows, all in one second:
    // a lossy link or a gateway slower than T1 makes exactly this
    for (int t = 0; t < 3; t++) {
      String key = next();
      for (int send = 0; send < SourceGuard.SENDS_PER_TRANSACTION_MAX; send++) {
        assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", key), "transaction " + t + " send " + send);
      }
    }
    assertFalse(guard.isBanned("192.0.2.7"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone", next()), "a fourth transaction is one too many");
  }

  @Test
  void aCancelIsATransactionOfItsOwnAndTheSameBranchFromAnotherSourceIsAnotherTransaction() {
    SourceGuard guard = new SourceGuard(2, 5, Duration.ofMinutes(1), clock());
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", "INVITE z9hG4bK-a"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", "CANCEL z9hG4bK-a"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone", "BYE z9hG4bK-a"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.9", "phone", "INVITE z9hG4bK-a"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.9", "phone", "INVITE z9hG4bK-a"));
  }

  @Test
  void resendingOneRequestBeyondWhatTimersAllowIsStillAFlood() {
    SourceGuard guard = new SourceGuard(5, 5, Duration.ofMinutes(1), clock());
    String key = next();
    int passed = 0;
    for (int i = 0; i < 100 && guard.onRequest("192.0.2.7", "phone", key) == SourceGuard.Verdict.PASS; i++) passed++;
    assertEquals(SourceGuard.SENDS_PER_TRANSACTION_MAX + 4, passed,
        "the first send and the allowed retransmissions count once, every send beyond them counts");
    assertTrue(guard.isBanned("192.0.2.7"));
  }

  @Test
  void aTransactionIsForgottenAfterTimerFSoItsKeyCountsAgain() {
    MutableClock clock = clock();
    SourceGuard guard = new SourceGuard(1, 5, Duration.ofMinutes(1), clock);
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", "OPTIONS z9hG4bK-k"));
    clock.advance(SourceGuard.TRANSACTION_MEMORY.plusSeconds(1));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone", "OPTIONS z9hG4bK-other"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone", "OPTIONS z9hG4bK-k"),
        "no longer a retransmission: a second new transaction in this second, over the limit of 1");
  }

  @Test
  void scannersAreBannedAtFirstSightEvenOnARetransmission() {
    SourceGuard guard = new SourceGuard(100, 5, Duration.ofMinutes(1), clock());
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("198.51.100.4", "phone", "OPTIONS z9hG4bK-s"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.4", "friendly-scanner", "OPTIONS z9hG4bK-s"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.1", "friendly-scanner", next()));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.2", "SIPVicious 0.3", next()));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.5", "iWar", next()));
    assertTrue(guard.isBanned("198.51.100.1"));
    assertFalse(guard.isBanned("198.51.100.3"));
  }

  @Test
  void passwordGuessingIsBannedAndSuccessResetsTheCount() {
    SourceGuard guard = new SourceGuard(100, 3, Duration.ofMinutes(1), clock());
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    guard.onAuthSuccess("203.0.113.9");
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onAuthFailure("203.0.113.9"));
    assertTrue(guard.isBanned("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("203.0.113.9", "phone", next()));
  }

  static Request parse(String text) throws Exception {
    return SipFactory.getInstance().createMessageFactory()
        .createRequest(text.replace("\n", "\r\n"));
  }

  @Test
  void transactionKeysFollowRfc3261() throws Exception {
    String invite = """
        INVITE sip:+15550100001@gw.example SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-abc
        From: <sip:alice@gw.example>;tag=f1
        To: <sip:+15550100001@gw.example>
        Call-ID: key-1
        CSeq: 1 INVITE
        Max-Forwards: 70
        Content-Length: 0

        """;
    Request a = parse(invite);
    Request retransmitted = parse(invite);
    Request cancel = parse(invite.replace("INVITE sip", "CANCEL sip").replace("1 INVITE", "1 CANCEL"));
    Request next = parse(invite.replace("z9hG4bK-abc", "z9hG4bK-abd").replace("1 INVITE", "2 INVITE"));
    assertEquals(SourceGuard.transactionKey(a), SourceGuard.transactionKey(retransmitted));
    assertNotEquals(SourceGuard.transactionKey(a), SourceGuard.transactionKey(cancel));
    assertNotEquals(SourceGuard.transactionKey(a), SourceGuard.transactionKey(next));
    // RFC 2543 clients: no magic cookie, so Call-ID, CSeq and From tag identify the transaction
    Request old1 = parse(invite.replace(";branch=z9hG4bK-abc", ";branch=1"));
    Request old2 = parse(invite.replace(";branch=z9hG4bK-abc", ";branch=1").replace("1 INVITE", "2 INVITE"));
    assertNotEquals(SourceGuard.transactionKey(old1), SourceGuard.transactionKey(old2));
    assertEquals(SourceGuard.transactionKey(old1),
        SourceGuard.transactionKey(parse(invite.replace(";branch=z9hG4bK-abc", ";branch=1"))));
  }
}

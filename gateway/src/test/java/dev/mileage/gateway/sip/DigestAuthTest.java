package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.Digest;
import dev.mileage.gateway.MutableClock;
import org.junit.jupiter.api.Test;

import javax.sip.SipFactory;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digest on its own, on an injected clock: challenge order, nonce expiry, forgery and replay. */
class DigestAuthTest {
  static final String REALM = "mileage";
  static final String PASSWORD = "correct-horse-battery";

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T06:00:00Z"));
  final DigestAuth digest = new DigestAuth(REALM, Duration.ofMinutes(5), clock);
  final HeaderFactory headers;
  final SubscriberStore.Subscriber alice = new SubscriberStore.Subscriber("alice", "member:1", REALM,
      DigestAuth.ha1("MD5", "alice", REALM, PASSWORD), DigestAuth.ha1("SHA-256", "alice", REALM, PASSWORD));

  DigestAuthTest() throws Exception {
    headers = SipFactory.getInstance().createHeaderFactory();
  }

  static URI uri() throws Exception {
    return SipFactory.getInstance().createAddressFactory().createURI("sip:+15550100001@127.0.0.1");
  }

  AuthorizationHeader answer(WWWAuthenticateHeader c, String password, int nc) throws Exception {
    return Digest.answer(headers, c, false, "alice", password, Request.INVITE, uri(), nc, "0a1b2c3d");
  }

  @Test
  void sha256IsOfferedFirstUnlessMd5FirstIsAsked() throws Exception {
    List<WWWAuthenticateHeader> normal = digest.challenges(headers, false, false, false);
    assertEquals(List.of("SHA-256", "MD5"), normal.stream().map(WWWAuthenticateHeader::getAlgorithm).toList());
    List<WWWAuthenticateHeader> sipp = digest.challenges(headers, false, false, true);
    assertEquals(List.of("MD5", "SHA-256"), sipp.stream().map(WWWAuthenticateHeader::getAlgorithm).toList());
  }

  @Test
  void browsersOverWebSocketGetMd5FirstBecauseTheirLibrariesReadOnlyTheFirstChallenge() throws Exception {
    var messages = SipFactory.getInstance().createMessageFactory();
    String template = "INVITE sip:+15550100001@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:5060;branch=z9hG4bK-1\r\n"
        + "From: <sip:alice@127.0.0.1>;tag=1\r\nTo: <sip:+15550100001@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
        + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    for (String transport : List.of("UDP", "TCP")) {
      Request r = messages.createRequest(String.format(template, transport));
      assertFalse(SipAuth.md5First(r, true), transport);
      assertTrue(SipAuth.md5First(r, false), transport + " with the SIPp option");
    }
    for (String transport : List.of("WS", "WSS")) {
      assertTrue(SipAuth.md5First(messages.createRequest(String.format(template, transport)), true), transport);
    }
  }

  @Test
  void aNonceExpiresOnTheClockAndThenIsStaleNotFailed() throws Exception {
    WWWAuthenticateHeader c = digest.challenges(headers, false, false, false).get(0);
    AuthorizationHeader fresh = answer(c, PASSWORD, 1);
    assertEquals(DigestAuth.Check.OK, digest.checkNonce(fresh));
    clock.advance(Duration.ofMinutes(5));
    assertEquals(DigestAuth.Check.OK, digest.checkNonce(answer(c, PASSWORD, 2)), "still inside its lifetime");
    clock.advance(Duration.ofMillis(1));
    assertEquals(DigestAuth.Check.STALE, digest.checkNonce(answer(c, PASSWORD, 3)), "one millisecond later: stale");
  }

  @Test
  void aNonceFromTheFutureOrWithAForgedMacIsRefused() throws Exception {
    WWWAuthenticateHeader c = digest.challenges(headers, false, false, false).get(0);
    clock.advance(Duration.ofMinutes(-1)); // a nonce dated after now cannot be ours
    assertEquals(DigestAuth.Check.STALE, digest.checkNonce(answer(c, PASSWORD, 1)));
    clock.advance(Duration.ofMinutes(1));
    String n = c.getNonce();
    c.setNonce(n.substring(0, n.length() - 1) + (n.endsWith("A") ? "B" : "A"));
    assertEquals(DigestAuth.Check.FAILED, digest.checkNonce(answer(c, PASSWORD, 1)));
    c.setNonce("not-base64-at-all!");
    assertEquals(DigestAuth.Check.FAILED, digest.checkNonce(answer(c, PASSWORD, 1)));
  }

  @Test
  void eachNonceCountIsAcceptedOnceAndOnlyGrowing() throws Exception {
    for (WWWAuthenticateHeader c : digest.challenges(headers, false, false, false)) {
      c.setNonce(digest.newNonce()); // the two challenges share a nonce; each algorithm gets its own here
      assertEquals(DigestAuth.Check.OK, digest.verify(answer(c, PASSWORD, 1), Request.INVITE, alice), c.getAlgorithm());
      assertEquals(DigestAuth.Check.REPLAY, digest.verify(answer(c, PASSWORD, 1), Request.INVITE, alice),
          c.getAlgorithm() + ": the same nonce and count again");
      assertEquals(DigestAuth.Check.OK, digest.verify(answer(c, PASSWORD, 3), Request.INVITE, alice));
      assertEquals(DigestAuth.Check.REPLAY, digest.verify(answer(c, PASSWORD, 2), Request.INVITE, alice),
          "a count below the highest seen is a replay too");
    }
  }

  @Test
  void aCountUsedWithOneAlgorithmCannotBeReplayedWithTheOther() throws Exception {
    List<WWWAuthenticateHeader> both = digest.challenges(headers, false, false, false);
    assertEquals(both.get(0).getNonce(), both.get(1).getNonce());
    assertEquals(DigestAuth.Check.OK, digest.verify(answer(both.get(0), PASSWORD, 1), Request.INVITE, alice));
    assertEquals(DigestAuth.Check.REPLAY, digest.verify(answer(both.get(1), PASSWORD, 1), Request.INVITE, alice));
  }

  @Test
  void unknownUserWrongPasswordAndWrongMethodAllFailAlike() throws Exception {
    WWWAuthenticateHeader c = digest.challenges(headers, false, false, false).get(0);
    assertEquals(DigestAuth.Check.FAILED, digest.verify(answer(c, "guess", 1), Request.INVITE, alice));
    assertEquals(DigestAuth.Check.FAILED, digest.verify(answer(c, PASSWORD, 2), Request.INVITE, null),
        "an unknown user is checked against a dummy and fails the same way");
    assertEquals(DigestAuth.Check.FAILED, digest.verify(answer(c, PASSWORD, 3), Request.REGISTER, alice),
        "credentials for an INVITE do not authenticate a REGISTER");
    assertEquals(DigestAuth.Check.OK, digest.verify(answer(c, PASSWORD, 4), Request.INVITE, alice),
        "failed attempts do not burn the nonce for the real user");
  }

  @Test
  void noncesAreUnpredictableAndCarryNothingPersonal() {
    String a = digest.newNonce();
    String b = digest.newNonce();
    assertNotEquals(a, b);
    assertEquals(a.length(), b.length());
    assertFalse(a.contains("alice"));
  }

  @Test
  void nonceCountIsEightHexDigitsAsTheClientHashedIt() {
    for (long nc : new long[] {1, 9, 10, 15, 16, 255, 0xabcdef, 0x7fffffffL, 0xffffffffL, 0x1ffffffffL}) {
      assertEquals(String.format("%08x", nc), DigestAuth.nonceCountHex(nc), "nc " + nc);
    }
  }
}

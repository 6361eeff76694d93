package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.Digest;
import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.UacCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Digest authentication (RFC 3261 / RFC 8760), replays, stale nonces, limits and bans, over loopback. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SipAuthTest {
  static final int AUTH_FAILURES_MAX = 12;
  /**
   * Nonces age on the gateway's clock, which the stale-nonce test jumps ahead; every other test answers its
   * challenges on real time, so this must outlast a loaded machine's round trips (at 2 s, the four REGISTERs on
   * one nonce of the replay test, each a database lookup, could find the nonce stale).
   */
  static final Duration NONCE_LIFETIME = Duration.ofSeconds(30);
  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static TestUac alice;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o
        .withTimers(Duration.ofMinutes(30), Duration.ofSeconds(90), Duration.ofSeconds(60))
        .withNonceLifetime(NONCE_LIFETIME)
        .withLimits(2, 100, 500, AUTH_FAILURES_MAX));
    bed.member("member:1", "alice", 10_000);
    alice = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD));
  }

  @AfterAll
  static void stop() throws Exception {
    if (alice != null) alice.close();
    if (bed != null) bed.close();
  }

  static List<WWWAuthenticateHeader> challenges(Response r) {
    List<WWWAuthenticateHeader> out = new ArrayList<>();
    r.getHeaders(WWWAuthenticateHeader.NAME).forEachRemaining(h -> out.add((WWWAuthenticateHeader) h));
    return out;
  }

  Request register(TestUac uac) throws Exception {
    SipURI registrar = uac.uri(null);
    registrar.setUser(null);
    Request r = uac.newRequest(Request.REGISTER, registrar, uac.user(), null);
    r.addHeader(uac.headers().createExpiresHeader(600));
    return r;
  }

  @Test
  @Order(1)
  void challengeOffersSha256ThenMd5WithQopAuth() throws Exception {
    Response r = alice.sendOnce(register(alice), WAIT);
    assertEquals(401, r.getStatusCode());
    List<WWWAuthenticateHeader> c = challenges(r);
    assertEquals(2, c.size());
    assertEquals("SHA-256", c.get(0).getAlgorithm(), "RFC 8760 2.4: the most preferred first");
    assertEquals("MD5", c.get(1).getAlgorithm());
    assertEquals(c.get(0).getNonce(), c.get(1).getNonce());
    for (WWWAuthenticateHeader h : c) {
      assertEquals("mileage", h.getRealm());
      assertEquals("auth", h.getQop());
      assertNull(h.getParameter("stale"));
    }
  }

  @Test
  @Order(2)
  void unknownUsersWrongPasswordsAndForgedNoncesGetTheSameAnswerByteForByte() throws Exception {
    try (TestUac stranger = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "mallory", "whatever-pass"));
         TestUac guesser = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", "wrong-password"))) {
      UacCall a = stranger.invite(DemoNumbers.ECHO);
      UacCall b = guesser.invite(DemoNumbers.ECHO);
      assertEquals(401, a.awaitFinal(WAIT));
      assertEquals(401, b.awaitFinal(WAIT));
      String unknownUser = normalized(a.responses().get(a.responses().size() - 1));
      String wrongPassword = normalized(b.responses().get(b.responses().size() - 1));
      assertEquals(unknownUser, wrongPassword, "nothing in the answer tells a known user from an unknown one");

      // the same for REGISTER, and for credentials on a nonce we never issued
      for (TestUac uac : List.of(stranger, guesser)) {
        Response challenge = uac.sendOnce(register(uac), WAIT);
        WWWAuthenticateHeader c = challenges(challenge).get(0);
        Request wrong = register(uac);
        wrong.addHeader(Digest.answer(uac.headers(), c, false, uac.user(), "not-" + uac.user(), Request.REGISTER,
            wrong.getRequestURI(), 1, "feed0001"));
        Response refused = uac.sendOnce(wrong, WAIT);
        c.setNonce(c.getNonce().substring(0, c.getNonce().length() - 2) + (c.getNonce().endsWith("AA") ? "BB" : "AA"));
        Request forged = register(uac);
        forged.addHeader(Digest.answer(uac.headers(), c, false, uac.user(), "not-" + uac.user(), Request.REGISTER,
            forged.getRequestURI(), 1, "feed0002"));
        Response forgedAnswer = uac.sendOnce(forged, WAIT);
        assertEquals(normalized(challenge), normalized(refused), uac.user() + ": a wrong answer looks like no answer");
        assertEquals(normalized(challenge), normalized(forgedAnswer), uac.user() + ": a forged nonce looks the same too");
      }
    }
  }

  /**
   * The response as sent, without what legitimately differs between two requests (the fields copied from
   * the request, the fresh nonce and tag): what is left must not depend on who asked.
   */
  static String normalized(Response r) {
    StringBuilder out = new StringBuilder();
    for (String line : r.toString().split("\r\n")) {
      String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase(java.util.Locale.ROOT) : "";
      if (List.of("via", "call-id", "cseq", "from", "to").contains(name)) continue;
      out.append(line.replaceAll("nonce=\"[^\"]*\"", "nonce=\"N\"")).append('\n');
    }
    return out.toString();
  }


  @Test
  @Order(3)
  void md5StillWorksForOldPhones() throws Exception {
    try (TestUac old = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD))) {
      old.preferAlgorithm("MD5");
      UacCall call = old.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      assertEquals("MD5", old.lastAuthorization().getAlgorithm());
      assertEquals(200, call.bye(WAIT));
    }
    try (TestUac modern = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD))) {
      UacCall call = modern.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      assertEquals("SHA-256", modern.lastAuthorization().getAlgorithm(), "RFC 8760 phones pick SHA-256");
      assertEquals(200, call.bye(WAIT));
    }
    bed.awaitIdle();
  }

  @Test
  @Order(4)
  void replayedCredentialsAreRefusedWhileAGrowingNonceCountIsAccepted() throws Exception {
    Response challenge = alice.sendOnce(register(alice), WAIT);
    WWWAuthenticateHeader c = challenges(challenge).get(0);
    assertEquals("SHA-256", c.getAlgorithm());
    Request first = register(alice);
    AuthorizationHeader nc1 = Digest.answer(alice.headers(), c, false, "alice", SipTestBed.PASSWORD, Request.REGISTER,
        first.getRequestURI(), 1, "c0ffee01");
    first.addHeader(nc1);
    assertEquals(200, alice.sendOnce(first, WAIT).getStatusCode());
    Request replay = register(alice);
    replay.addHeader(nc1);
    assertEquals(401, alice.sendOnce(replay, WAIT).getStatusCode(), "the same nonce and count again: a replay");
    Request next = register(alice);
    next.addHeader(Digest.answer(alice.headers(), c, false, "alice", SipTestBed.PASSWORD, Request.REGISTER,
        next.getRequestURI(), 2, "c0ffee02"));
    assertEquals(200, alice.sendOnce(next, WAIT).getStatusCode(), "nc=2 on the same nonce is legitimate");

    // and an INVITE carrying the REGISTER's used credentials is refused before anything happens
    int trunkCalls = bed.trunk.calls().size();
    Request invite = alice.newRequest(Request.INVITE, alice.uri(DemoNumbers.ECHO), "alice", null);
    invite.addHeader(nc1);
    assertEquals(401, alice.sendOnce(invite, WAIT).getStatusCode());
    assertEquals(trunkCalls, bed.trunk.calls().size());
  }

  @Test
  @Order(5)
  void expiredNonceIsStaleAndForgedNonceIsNot() throws Exception {
    Response challenge = alice.sendOnce(register(alice), WAIT);
    WWWAuthenticateHeader c = challenges(challenge).get(0);
    bed.sipClock.skip(NONCE_LIFETIME.plusMillis(500)); // past this gateway's nonce lifetime
    Request late = register(alice);
    late.addHeader(Digest.answer(alice.headers(), c, false, "alice", SipTestBed.PASSWORD, Request.REGISTER,
        late.getRequestURI(), 1, "abcdef01"));
    Response stale = alice.sendOnce(late, WAIT);
    assertEquals(401, stale.getStatusCode());
    assertEquals("true", challenges(stale).get(0).getParameter("stale"));

    // RFC 7616 3.3: stale=true only when the digest itself is right; a wrong password on an old nonce is not
    Response another = alice.sendOnce(register(alice), WAIT);
    WWWAuthenticateHeader a = challenges(another).get(0);
    bed.sipClock.skip(NONCE_LIFETIME.plusMillis(500));
    Request wrong = register(alice);
    wrong.addHeader(Digest.answer(alice.headers(), a, false, "alice", "not-" + SipTestBed.PASSWORD, Request.REGISTER,
        wrong.getRequestURI(), 1, "abcdef03"));
    Response notStale = alice.sendOnce(wrong, WAIT);
    assertEquals(401, notStale.getStatusCode());
    assertNull(challenges(notStale).get(0).getParameter("stale"), "a wrong password must make the phone ask its user");

    Response fresh = alice.sendOnce(register(alice), WAIT);
    WWWAuthenticateHeader f = challenges(fresh).get(0);
    f.setNonce(f.getNonce().substring(0, f.getNonce().length() - 2) + (f.getNonce().endsWith("AA") ? "BB" : "AA"));
    Request forged = register(alice);
    forged.addHeader(Digest.answer(alice.headers(), f, false, "alice", SipTestBed.PASSWORD, Request.REGISTER,
        forged.getRequestURI(), 1, "abcdef02"));
    Response refused = alice.sendOnce(forged, WAIT);
    assertEquals(401, refused.getStatusCode());
    assertNull(challenges(refused).get(0).getParameter("stale"));
    assertEquals(200, alice.register(600, WAIT), "a normal phone simply answers the new challenge");
  }

  @Test
  @Order(6)
  void tooShortSessionIntervalGets422WithMinSe() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO, TestUac.InviteOptions.plain().sessionExpires(30));
    assertEquals(422, call.awaitFinal(WAIT));
    Response r = call.responses().get(call.responses().size() - 1);
    assertEquals("90", r.getHeader("Min-SE").toString().split(":")[1].trim());
  }

  @Test
  @Order(7)
  void unsupportedRequiredExtensionGets420() throws Exception {
    UacCall call = alice.invite(DemoNumbers.ECHO, TestUac.InviteOptions.plain().header("Require: foo-ext"));
    assertEquals(420, call.awaitFinal(WAIT));
    Response r = call.responses().get(call.responses().size() - 1);
    assertTrue(r.getHeader("Unsupported").toString().contains("foo-ext"));
  }

  @Test
  @Order(8)
  void reliableProvisionalResponsesWhenRequired() throws Exception {
    UacCall call = alice.invite(DemoNumbers.TONE_AFTER_3S, TestUac.InviteOptions.plain().with100rel());
    assertTrue(call.awaitCode(180, WAIT));
    Response ringing = call.responses().stream().filter(r -> r.getStatusCode() == 180).findFirst().orElseThrow();
    assertNotNull(ringing.getHeader("RSeq"), "Require: 100rel gets a reliable 180 (RFC 3262)");
    assertEquals(200, call.awaitFinal(WAIT));
    assertEquals(200, call.bye(WAIT));
    bed.awaitIdle();
  }

  @Test
  @Order(9)
  void callsPerAccountAreLimited() throws Exception {
    UacCall one = alice.invite(DemoNumbers.ECHO);
    UacCall two = alice.invite(DemoNumbers.ECHO);
    assertEquals(200, one.awaitFinal(WAIT));
    assertEquals(200, two.awaitFinal(WAIT));
    assertEquals(486, alice.invite(DemoNumbers.ECHO).awaitFinal(WAIT), "a third concurrent call is refused");
    assertEquals(200, one.bye(WAIT));
    assertEquals(200, two.bye(WAIT));
    bed.awaitIdle();
  }

  @Test
  @Order(100)
  void passwordGuessingGetsTheSourceBanned() throws Exception {
    try (TestUac guesser = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", null))) {
      int answered = 0;
      WWWAuthenticateHeader c = challenges(guesser.sendOnce(register(guesser), WAIT)).get(0);
      for (int i = 0; i < AUTH_FAILURES_MAX + 5; i++) {
        Request r = register(guesser);
        r.addHeader(Digest.answer(guesser.headers(), c, false,
            "alice", "guess-" + i, Request.REGISTER, r.getRequestURI(), 1, "0000000" + (i % 10)));
        // a 401 is awaited as long as any answer; only past the limit is 1.5 s of silence taken for the ban
        Response resp = guesser.sendOnce(r, answered < AUTH_FAILURES_MAX ? WAIT : Duration.ofMillis(1500));
        if (resp == null) break;
        assertEquals(401, resp.getStatusCode());
        answered++;
      }
      assertEquals(AUTH_FAILURES_MAX, answered, "after the limit the source is dropped");
      assertNull(alice.sendOnce(register(alice), Duration.ofSeconds(2)), "even good phones on a banned source get nothing");
      assertNotEquals(0, answered);
    }
  }
}

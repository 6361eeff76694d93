package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.gateway.sip.FlowIndexProbe;
import dev.mileage.gateway.sip.SubscriberStore;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.UsageQuery;
import dev.mileage.points.metering.UsageRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser's WebSocket is the only way back to it (RFC 7118 5): when it closes (tab killed, network cut, close
 * frame) the calls that came over it end at once, not after the media-inactivity limit (60 s here, far longer
 * than the waits below). An answered call: BYE to the PSTN side, billed only until the browser's last media
 * packet, CDR as a lost caller (ERROR). A ringing one: CANCEL to the PSTN side, nothing billed. The same
 * member's call over another WebSocket goes on. Each test uses its own member, so balances stay exact.
 */
class BrowserConnectionCloseTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  /** Long enough that the media-silence rule cannot be what ends a call here. */
  static final Duration INACTIVITY = Duration.ofSeconds(60);
  /**
   * How soon after its WebSocket closes a call must be over at the trunk: a sixth of {@link #INACTIVITY}, so that rule
   * cannot be what ended it, with room for a loaded CI machine (the close crosses jain-sip, the B2BUA and the trunk).
   */
  static final Duration PROMPTLY = Duration.ofSeconds(10);
  /** 60 points a minute on the demo numbers: one point a second. */
  static final long FUNDS = 6_000;
  @TempDir
  static Path dataDir;
  @TempDir
  static Path secureDir;
  static BrowserGateway gateway;
  /** The same gateway with browsers on WSS (a key store configured). */
  static BrowserGateway secure;
  static Path keyStore;
  static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    gateway = BrowserGateway.start(dataDir, "ws-close-operator-password",
        o -> o.withTimers(Duration.ofMinutes(30), Duration.ofSeconds(90), INACTIVITY), "1555", "demo", Tariff.of(60, 1, 1, 0));
    Ledger ledger = gateway.app().context().ledger();
    Account issuer = await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    for (String member : new String[] {"member:61", "member:62", "member:63"}) {
      fund(gateway, issuer, member);
    }
    keyStore = SecureWebSocketTest.keyStore(secureDir);
    secure = BrowserGateway.start(secureDir.resolve("data"), "wss-close-operator-password",
        o -> o.withTimers(Duration.ofMinutes(30), Duration.ofSeconds(90), INACTIVITY), "1555", "demo", Tariff.of(60, 1, 1, 0),
        java.util.Optional.of(keyStore), new String(SecureWebSocketTest.PASSWORD));
    Account secureIssuer = await(secure.app().context().ledger().openAccount("operator:issuance", StandardPointTypes.MILEAGE,
        AccountFlags.NONE));
    fund(secure, secureIssuer, "member:65");
    fund(gateway, issuer, "member:66");
  }

  @Test
  void anInviteWhoseWebSocketDropsRightAfterItLeavesNothingBehind() throws Exception {
    // the close may reach the gateway before or after the INVITE is handled: either way no call, nothing held
    String member = "member:66";
    SubscriberStore.Temporary cred = credential(gateway, member);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create()) {
      WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
      WebSocketCallTest.authenticatedInvite(c, cred.username(), cred, DemoNumbers.ECHO, "ws-" + WsSipClient.hex(8),
          peer.offer(), gateway.web().domain().orElseThrow());
      c.close();
      assertTrue(awaitNoCallsOf(gateway, cred.username()));
      Thread.sleep(500); // a call wrongly set up would reach the trunk within this: a bounded look, not timing
      assertTrue(gateway.trunk().calls().stream().filter(t -> cred.username().equals(t.fromUser()))
          .allMatch(t -> t.answeredAt() == null), "no call of that INVITE is ever answered at the trunk");
      awaitBalance(gateway, member, FUNDS);
      assertTrue(awaitNoCallsOf(gateway, cred.username()));
      assertEquals(Map.of(), flowIndex(gateway), "no call left in the flow index");
    }
  }

  static void fund(BrowserGateway g, Account issuer, String member) throws Exception {
    Ledger ledger = g.app().context().ledger();
    Account a = await(ledger.openAccount(member, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    await(ledger.submit(Transfer.single(Transfer.idOf("test:ws-close:fund:" + member), issuer.id(), a.id(), FUNDS,
        TransferCodes.SIGN_UP_BONUS, "test")));
  }

  @AfterAll
  static void stop() {
    try {
      if (gateway != null) gateway.close();
    } finally {
      if (secure != null) secure.close();
    }
  }

  @Test
  void anAnsweredCallWhoseWebSocketDropsEndsAtOnceBilledUntilTheLastMediaPacket() throws Exception {
    String member = "member:61";
    SubscriberStore.Temporary cred = credential(gateway, member);
    String number = DemoNumbers.ECHO;
    String callId = "ws-" + WsSipClient.hex(8);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create()) {
      WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
      answer(gateway, c, peer, cred, number, callId);
      TrunkCall far = trunkCall(gateway, cred.username(), number);
      talk(peer, 50);
      // two silent seconds with the WebSocket still open: the call goes on, and this time is not billed later
      assertNull(c.await("^BYE ", Duration.ofSeconds(2)), "nothing ends a call whose WebSocket is open");
      assertEquals(TrunkCall.End.NONE, far.end());

      long closingMs = System.currentTimeMillis(); // before the close: the gateway cannot learn of it earlier
      c.close(); // the TCP connection is dropped: no close frame, no BYE
      assertTrue(far.awaitEnded(PROMPTLY), "the PSTN side is hung up within " + PROMPTLY + " of the close");
      assertEquals(TrunkCall.End.CALLER_BYE, far.end());

      UsageRecord cdr = cdr(gateway, member, callId);
      assertEquals(EndReason.ERROR, cdr.reason(), "ended as a lost caller");
      assertBilledUntilTheLastPacket(cdr, lastRelayedMs(far), closingMs);
      assertEquals(cdr.billedSeconds(), cdr.points(), "a point a second");
      awaitBalance(gateway, member, FUNDS - cdr.points());
      assertTrue(awaitNoCallsOf(gateway, cred.username()), "the call is gone from the gateway");
      assertEquals(Map.of(), flowIndex(gateway), "and from the flow index");
    }
  }

  @Test
  void aRingingCallWhoseWebSocketDropsIsCancelledAtTheTrunkAndNotBilled() throws Exception {
    String member = "member:62";
    SubscriberStore.Temporary cred = credential(gateway, member);
    String number = DemoNumbers.NO_ANSWER; // rings until cancelled
    String callId = "ws-" + WsSipClient.hex(8);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create()) {
      WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
      secureMedia(gateway, c, peer, cred, number, callId);
      assertNotNull(c.await("^SIP/2.0 180", WAIT), "the trunk's ringing reaches the browser");
      TrunkCall far = trunkCall(gateway, cred.username(), number);

      c.close();
      assertTrue(far.awaitEnded(PROMPTLY), "the ringing PSTN side is cancelled within " + PROMPTLY);
      assertEquals(TrunkCall.End.CANCELLED, far.end());
      UsageRecord cdr = cdr(gateway, member, callId);
      assertEquals(EndReason.CANCELLED, cdr.reason());
      assertEquals(0, cdr.billedSeconds());
      assertEquals(0, cdr.points());
      awaitBalance(gateway, member, FUNDS);
      assertTrue(awaitNoCallsOf(gateway, cred.username()));
      assertEquals(Map.of(), flowIndex(gateway), "no call left in the flow index");
    }
  }

  @Test
  void theSameMembersCallOverAnotherWebSocketGoesOnAndEndsWhenItsOwnSocketSaysGoodbye() throws Exception {
    String member = "member:63";
    SubscriberStore.Temporary cred = credential(gateway, member);
    String number = DemoNumbers.ECHO;
    String firstId = "ws-" + WsSipClient.hex(8);
    String secondId = "ws-" + WsSipClient.hex(8);
    try (JavaWebRtcPeer firstPeer = JavaWebRtcPeer.create(); JavaWebRtcPeer secondPeer = JavaWebRtcPeer.create()) {
      WsSipClient first = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
      WsSipClient second = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
      answer(gateway, first, firstPeer, cred, number, firstId);
      TrunkCall firstFar = trunkCall(gateway, cred.username(), number);
      answer(gateway, second, secondPeer, cred, number, secondId);
      TrunkCall secondFar = trunkCall(gateway, cred.username(), number);
      Map<String, Integer> both = flowIndex(gateway);
      assertEquals(2, both.size(), "each WebSocket is its own flow: " + both);
      assertTrue(both.values().stream().allMatch(n -> n == 1), "one call each: " + both);

      first.close();
      assertTrue(firstFar.awaitEnded(PROMPTLY));
      assertEquals(EndReason.ERROR, cdr(gateway, member, firstId).reason());
      assertEquals(TrunkCall.End.NONE, secondFar.end(), "the other WebSocket's call is untouched");
      assertTrue(talk(secondPeer, 25) >= 5, "and its media still flows both ways");
      Map<String, Integer> left = flowIndex(gateway);
      assertEquals(1, left.size(), "the closed flow left the index: " + left);
      assertTrue(both.containsKey(left.keySet().iterator().next()) && left.containsValue(1), "the open one stays: " + left);
      assertNull(second.await("^BYE ", Duration.ofMillis(500)));

      // a WebSocket close frame (a page that closes its socket cleanly) ends that flow too
      second.closeGracefully();
      assertTrue(secondFar.awaitEnded(PROMPTLY), "a close frame ends the call within " + PROMPTLY);
      assertEquals(TrunkCall.End.CALLER_BYE, secondFar.end());
      assertEquals(EndReason.ERROR, cdr(gateway, member, secondId).reason());
      assertTrue(awaitNoCallsOf(gateway, cred.username()));
      assertEquals(Map.of(), flowIndex(gateway), "no call left in the flow index");
      second.close();
    }
  }

  @Test
  void overWssAnAnsweredCallWhoseConnectionDropsEndsAtOnceToo() throws Exception {
    String member = "member:65";
    SubscriberStore.Temporary cred = credential(secure, member);
    String number = DemoNumbers.ECHO;
    String callId = "wss-" + WsSipClient.hex(8);
    String url = secure.web().webSocketUrl().orElseThrow();
    assertTrue(url.startsWith("wss://"), url);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create()) {
      WsSipClient c = new WsSipClient(url, SecureWebSocketTest.trusting(keyStore));
      answer(secure, c, peer, cred, number, callId);
      TrunkCall far = trunkCall(secure, cred.username(), number);
      assertTrue(talk(peer, 25) >= 5, "media flows");
      assertNull(c.await("^BYE ", Duration.ofSeconds(2)));

      long closingMs = System.currentTimeMillis();
      c.close();
      assertTrue(far.awaitEnded(PROMPTLY), "the PSTN side is hung up within " + PROMPTLY + " of the TLS connection's end");
      assertEquals(TrunkCall.End.CALLER_BYE, far.end());
      UsageRecord cdr = cdr(secure, member, callId);
      assertEquals(EndReason.ERROR, cdr.reason());
      assertBilledUntilTheLastPacket(cdr, lastRelayedMs(far), closingMs);
      awaitBalance(secure, member, FUNDS - cdr.points());
      assertTrue(awaitNoCallsOf(secure, cred.username()));
      assertEquals(Map.of(), flowIndex(secure), "no call left in the flow index");
    }
  }

  @Test
  void registrationsOverAClosedWebSocketAreDroppedAndThoseOverAnotherStay() throws Exception {
    SubscriberStore.Temporary cred = credential(gateway, "member:61");
    try (WsSipClient first = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
         WsSipClient second = new WsSipClient(gateway.web().webSocketUrl().orElseThrow())) {
      // jain-sip rewrites a contact's .invalid host to the connection's address (RFC 7118 5): the user part names it
      String firstUser = WsSipClient.hex(4);
      String secondUser = WsSipClient.hex(4);
      String firstContact = "sip:" + firstUser + "@";
      String secondContact = "sip:" + secondUser + "@";
      String one = register(first, cred, firstContact + first.viaHost + ";transport=ws");
      assertTrue(one.contains(firstContact), one);
      String both = register(second, cred, secondContact + second.viaHost + ";transport=ws");
      assertTrue(both.contains(firstContact) && both.contains(secondContact), both);

      first.close();
      long deadline = System.nanoTime() + PROMPTLY.toNanos();
      String now = register(second, cred, null);
      while (now.contains(firstContact) && System.nanoTime() < deadline) {
        Thread.sleep(50); // the close reaches the registrar from jain-sip's I/O thread: poll, bounded
        now = register(second, cred, null);
      }
      assertTrue(!now.contains(firstContact), "the closed WebSocket's binding is gone: " + now);
      assertTrue(now.contains(secondContact), "the open one's stays: " + now);
    }
  }

  /** REGISTER, 401, REGISTER with credentials: the 200, which lists the user's bindings. */
  static String register(WsSipClient c, SubscriberStore.Temporary cred, String contact) throws Exception {
    String domain = gateway.web().domain().orElseThrow();
    String callId = "reg-" + WsSipClient.hex(8);
    c.send(c.register(domain, cred.username(), callId, contact, null));
    String challenge = c.awaitFinal(WAIT);
    assertNotNull(challenge);
    assertEquals(401, WsSipClient.status(challenge), challenge);
    String auth = WsSipClient.authorization(challenge, cred.username(), cred.password(), "sip:" + domain, "REGISTER");
    c.send(c.register(domain, cred.username(), callId, contact, auth));
    String ok = c.awaitFinal(WAIT);
    assertNotNull(ok);
    assertEquals(200, WsSipClient.status(ok), ok);
    return ok;
  }

  /** INVITE with credentials, ICE and DTLS on the media leg: the browser's part of a call's setup. */
  static void secureMedia(BrowserGateway g, WsSipClient c, JavaWebRtcPeer peer, SubscriberStore.Temporary cred,
                          String number, String callId) throws Exception {
    String domain = g.web().domain().orElseThrow();
    WebSocketCallTest.authenticatedInvite(c, cred.username(), cred, number, callId, peer.offer(), domain);
    String early = c.await("^SIP/2.0 183", WAIT);
    assertNotNull(early, "the early answer with the gateway's ICE and DTLS");
    String answer = WsSipClient.body(early);
    peer.target(WebSocketCallTest.port(answer));
    assertNotNull(peer.check(WebSocketCallTest.attr(answer, "ice-ufrag"), WebSocketCallTest.attr(answer, "ice-pwd"), true));
    assertEquals(DtlsOutcome.OK, peer.handshake(Fingerprint.parse(WebSocketCallTest.attr(answer, "fingerprint"))).outcome());
  }

  /** A call answered and ACKed. */
  static void answer(BrowserGateway g, WsSipClient c, JavaWebRtcPeer peer, SubscriberStore.Temporary cred,
                     String number, String callId) throws Exception {
    secureMedia(g, c, peer, cred, number, callId);
    String ok = c.awaitFinal(WAIT);
    assertNotNull(ok);
    assertEquals(200, WsSipClient.status(ok), ok);
    c.send(c.ack(ok, number, g.web().domain().orElseThrow()));
  }

  /** {@code packets} of audio, 20 ms apart; how many came back through the PSTN's echo. */
  static int talk(JavaWebRtcPeer peer, int packets) throws Exception {
    int heard = 0;
    for (int seq = 1; seq <= packets; seq++) {
      peer.send(peer.srtp.protectRtp(DtlsSrtpLoopbackTest.rtp(0x6363, seq, 0, 160)));
      byte[] back = peer.media.poll(20, TimeUnit.MILLISECONDS);
      if (back != null && peer.srtp.unprotectRtp(back) != null) heard++;
    }
    return heard;
  }

  /**
   * Billed until the browser's last packet reached the gateway, not until the connection was closed (at least two
   * silent seconds later). Both are counted from the CDR's own answer time, as the meter counts: the test hears of
   * the answer only after the gateway did, and its own reading of it used to make a correct bill look a second too
   * long whenever the gap crossed a whole second. (As in BrowserMediaLossTest.)
   *
   * @param lastRelayedMs when the PSTN side received the browser's last packet ({@link #lastRelayedMs}): the gateway
   *     heard it before it relayed it. (A guess of 100 ms after the send could be too short on a loaded machine.)
   */
  static void assertBilledUntilTheLastPacket(UsageRecord cdr, long lastRelayedMs, long closingMs) {
    assertNotNull(cdr.answeredAt());
    long answeredMs = cdr.answeredAt().toEpochMilli();
    long talkedSeconds = (lastRelayedMs - answeredMs + 999) / 1000;
    long closedSeconds = (closingMs - answeredMs) / 1000; // a gateway billing until the close bills at least this
    assertTrue(cdr.billedSeconds() <= talkedSeconds && cdr.billedSeconds() < closedSeconds,
        "billed " + cdr.billedSeconds() + " s: talked " + talkedSeconds + " s (relayed " + (lastRelayedMs - answeredMs)
            + " ms after the answer), closed after " + closedSeconds + " s");
  }

  /** When the PSTN side last received RTP ({@link TrunkCall#lastRtpReceivedMs}); read once the browser is quiet. */
  static long lastRelayedMs(TrunkCall far) {
    long last = far.lastRtpReceivedMs();
    assertTrue(last != 0, "the PSTN side heard the browser");
    return last;
  }

  /** The trunk's side of the call just set up by {@code username}: its live one not yet claimed by this test. */
  static TrunkCall trunkCall(BrowserGateway g, String username, String number) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      var found = g.trunk().calls().stream()
          .filter(t -> number.equals(t.number()) && username.equals(t.fromUser()) && t.end() == TrunkCall.End.NONE)
          .filter(t -> !CLAIMED.contains(t.callId())).findFirst();
      if (found.isPresent()) {
        CLAIMED.add(found.get().callId());
        return found.get();
      }
      Thread.sleep(20); // the trunk sees the INVITE after the gateway's DTLS check: poll, bounded
    }
    throw new AssertionError("the trunk never saw a call from " + username);
  }

  static final java.util.Set<String> CLAIMED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static SubscriberStore.Temporary credential(BrowserGateway g, String member) {
    return g.sip().subscribers(gateway.app().context())
        .issueTemporary(member, WebPhoneFeature.CREDENTIAL_LIFETIME, RANDOM).orElseThrow();
  }

  static Map<String, Integer> flowIndex(BrowserGateway g) throws Exception {
    return FlowIndexProbe.of(g.sip().service().orElseThrow());
  }

  static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static UsageRecord cdr(BrowserGateway g, String member, String callId) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (UsageRecord r : await(g.meter().usage(UsageQuery.of(member, 100)))) {
        if (r.reference().equals(callId)) return r;
      }
      Thread.sleep(20); // the CDR is written after the call ends: poll, bounded
    }
    throw new AssertionError("no CDR for " + callId);
  }

  static void awaitBalance(BrowserGateway g, String member, long expected) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (balance(g, member) != expected && System.nanoTime() < deadline) {
      Thread.sleep(50); // the settlement follows the CDR: poll, bounded
    }
    assertEquals(expected, balance(g, member), "debited exactly the CDR, nothing left reserved");
  }

  static long balance(BrowserGateway g, String member) throws Exception {
    return await(g.app().context().ledger().accountsOf(member)).stream().mapToLong(Account::available).sum();
  }

  static boolean awaitNoCallsOf(BrowserGateway g, String username) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      var live = await(g.sip().service().orElseThrow().liveCalls().toCompletionStage());
      if (live.stream().noneMatch(l -> l.username().equals(username))) return true;
      Thread.sleep(20); // poll, bounded
    }
    return false;
  }
}

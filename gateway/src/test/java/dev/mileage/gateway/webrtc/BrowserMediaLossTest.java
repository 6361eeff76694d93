package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.gateway.sip.SubscriberStore;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.Meter;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A browser that drops off the network in the middle of a call (network cut, tab closed, crash): it can no
 * longer hang up, and its WebSocket may linger, but its media stops, while the PSTN side keeps playing. The
 * gateway ends the call once the browser has been silent for the media-inactivity limit (2 s here), hangs up
 * the PSTN side, and bills only until the browser's last packet: not for the time it took to notice, and not
 * until the balance runs out, which is what happened before (silence was counted only when both sides were
 * silent, and the PSTN side never is).
 */
class BrowserMediaLossTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final Duration INACTIVITY = Duration.ofSeconds(2);
  static final String MEMBER = "member:51";
  /** 60 points a minute on the demo numbers: one point a second. */
  static final long FUNDS = 6_000;
  @TempDir
  static Path dataDir;
  static BrowserGateway gateway;
  static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    gateway = BrowserGateway.start(dataDir, "media-loss-operator-password",
        o -> o.withTimers(Duration.ofMinutes(30), Duration.ofSeconds(90), INACTIVITY), "1555", "demo", Tariff.of(60, 1, 1, 0));
    Ledger ledger = gateway.app().context().ledger();
    Account issuer = await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    Account member = await(ledger.openAccount(MEMBER, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    await(ledger.submit(Transfer.single(Transfer.idOf("test:media-loss:fund"), issuer.id(), member.id(), FUNDS,
        TransferCodes.SIGN_UP_BONUS, "test")));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aBrowserThatStopsSendingIsHungUpAndBilledOnlyUntilItsLastPacketWhileThePstnSideStillPlays() throws Exception {
    SubscriberStore.Temporary cred = gateway.sip().subscribers(gateway.app().context())
        .issueTemporary(MEMBER, WebPhoneFeature.CREDENTIAL_LIFETIME, RANDOM).orElseThrow();
    String number = DemoNumbers.TONE_AFTER_3S; // answers after 3 s and plays a tone until hung up
    String callId = "ws-" + WsSipClient.hex(8);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow())) {
      String domain = gateway.web().domain().orElseThrow();
      WebSocketCallTest.authenticatedInvite(c, cred.username(), cred, number, callId, peer.offer(), domain);
      String early = c.await("^SIP/2.0 183", WAIT);
      assertNotNull(early);
      String answer = WsSipClient.body(early);
      peer.target(WebSocketCallTest.port(answer));
      assertNotNull(peer.check(WebSocketCallTest.attr(answer, "ice-ufrag"), WebSocketCallTest.attr(answer, "ice-pwd"), true));
      assertEquals(DtlsOutcome.OK, peer.handshake(Fingerprint.parse(WebSocketCallTest.attr(answer, "fingerprint"))).outcome());
      String ok = c.awaitFinal(WAIT);
      assertEquals(200, WsSipClient.status(ok), ok);
      c.send(c.ack(ok, number, domain));

      // a second of talk, and the PSTN's tone comes back
      // The time of the last packet is taken just before it is sent: the gateway hears it after that, so its
      // limit cannot run out before lastSentNanos + INACTIVITY. (Taking it after the loop's last poll, up to
      // 20 ms later, let a correct gateway's BYE arrive "before the limit" in one CI run.)
      int heard = 0;
      long lastSentNanos = 0;
      long lastSentMs = 0;
      for (int seq = 1; seq <= 50; seq++) {
        byte[] packet = peer.srtp.protectRtp(DtlsSrtpLoopbackTest.rtp(0x5252, seq, 0, 160));
        lastSentNanos = System.nanoTime();
        lastSentMs = System.currentTimeMillis();
        peer.send(packet);
        byte[] back = peer.media.poll(20, TimeUnit.MILLISECONDS);
        if (back != null && peer.srtp.unprotectRtp(back) != null) heard++;
      }
      assertTrue(heard >= 10, "the PSTN side plays: " + heard);

      // then the browser is gone: nothing more from it, while the tone keeps coming
      String bye = c.await("^BYE ", WAIT);
      assertNotNull(bye, "the gateway hangs up a browser that went silent");
      long byeNanos = System.nanoTime();
      assertTrue(byeNanos - lastSentNanos >= INACTIVITY.toNanos(), "not before the limit");
      c.send(WsSipClient.ok(bye));
      TrunkCall far = gateway.trunk().calls().stream().filter(t -> number.equals(t.number())).findFirst().orElseThrow();
      assertTrue(far.awaitEnded(WAIT));
      assertEquals(TrunkCall.End.CALLER_BYE, far.end(), "the PSTN side is hung up too");

      UsageRecord cdr = cdr(callId);
      assertEquals(EndReason.ERROR, cdr.reason());
      // billed until the browser's last packet reached the gateway (before the gateway relayed it to the PSTN side,
      // which tells the time), not until the gateway noticed (at least INACTIVITY later), which is when the CDR ends.
      // Both are counted from the CDR's own answer time: the test hears of the answer only after the gateway did.
      assertNotNull(cdr.answeredAt());
      long answeredMs = cdr.answeredAt().toEpochMilli();
      long lastRelayedMs = BrowserConnectionCloseTest.lastRelayedMs(far);
      long talkedSeconds = (lastRelayedMs - answeredMs + 999) / 1000;
      long noticedSeconds = (cdr.endedAt().toEpochMilli() - answeredMs) / 1000;
      assertTrue(cdr.endedAt().toEpochMilli() - lastSentMs >= INACTIVITY.toMillis(), "the CDR ends when it was noticed");
      assertTrue(cdr.billedSeconds() <= talkedSeconds && cdr.billedSeconds() < noticedSeconds,
          "billed " + cdr.billedSeconds() + " s: talked " + talkedSeconds + " s (relayed " + (lastRelayedMs - answeredMs)
              + " ms after the answer), noticed after " + noticedSeconds + " s");
      assertEquals(cdr.billedSeconds(), cdr.points(), "a point a second");
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (balance() != FUNDS - cdr.points() && System.nanoTime() < deadline) {
        Thread.sleep(50); // the settlement follows the CDR: poll, bounded
      }
      assertEquals(FUNDS - cdr.points(), balance(), "debited exactly the CDR, nothing left reserved");
    }
  }

  static UsageRecord cdr(String callId) throws Exception {
    Meter meter = gateway.meter();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (UsageRecord r : await(meter.usage(UsageQuery.of(MEMBER, 100)))) {
        if (r.reference().equals(callId)) return r;
      }
      Thread.sleep(20); // the CDR is written after the BYE: poll, bounded
    }
    throw new AssertionError("no CDR for " + callId);
  }

  static long balance() throws Exception {
    return await(gateway.app().context().ledger().accountsOf(MEMBER)).stream().mapToLong(Account::available).sum();
  }
}

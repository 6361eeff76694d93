package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import dev.mileage.gateway.Features;
import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.media.SdpRewriter;
import dev.mileage.gateway.sip.FlowIndexProbe;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.gateway.sip.SubscriberStore;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.Tariff;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIP over WebSocket into the real gateway (ledger, metering, SIP B2BUA, simulated PSTN trunk), with a
 * Java WebRTC peer for the media: an unauthenticated WebSocket cannot call, a credential is bound to its
 * member and expires, plain RTP and a wrong DTLS fingerprint are refused before the trunk is called,
 * and a good call flows SRTP both ways through the trunk's echo and is ended by the gateway over the
 * same WebSocket.
 */
class WebSocketCallTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String MEMBER = "member:41";
  /** Used by the refusal test alone, so no other test's settlement moves its balance. */
  static final String OTHER = "member:43";
  @TempDir
  static Path dataDir;
  static SimulatedTrunk trunk;
  static GatewayApp app;
  static SipFeature sip;
  static WebRtcCalls web;
  static String wsUrl;
  static String domain;
  static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    trunk = SimulatedTrunk.start(TrunkOptions.defaults());
    GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), false, false, "operator",
        "ws-test-operator-password", trunk.uri());
    MeteringFeature metering = new MeteringFeature();
    web = new WebRtcCalls();
    sip = new SipFeature(metering, web);
    app = new GatewayApp(config, Features.all(metering, sip), Clock.systemUTC());
    app.start();
    await(metering.meter().orElseThrow().tariffs().putCallRate(CallRate.rated("1555", "demo", Tariff.of(60, 1, 1, 0))));
    Ledger ledger = app.context().ledger();
    Account issuer = await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    Account member = await(ledger.openAccount(MEMBER, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    await(ledger.submit(Transfer.single(Transfer.idOf("test:ws-call:fund"), issuer.id(), member.id(), 6000,
        TransferCodes.SIGN_UP_BONUS, "test")));
    Account other = await(ledger.openAccount(OTHER, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    await(ledger.submit(Transfer.single(Transfer.idOf("test:ws-call:fund-other"), issuer.id(), other.id(), 6000,
        TransferCodes.SIGN_UP_BONUS, "test")));
    wsUrl = web.webSocketUrl().orElseThrow();
    domain = web.domain().orElseThrow();
    assertTrue(wsUrl.startsWith("ws://127.0.0.1:"), wsUrl);
    assertTrue(app.bannerLines().stream().anyMatch(l -> l.startsWith("Browsers:  " + wsUrl)), app.bannerLines().toString());
  }

  @AfterAll
  static void stop() {
    if (app != null) app.stop();
    if (trunk != null) trunk.close();
  }

  static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static SubscriberStore.Temporary credential(String owner) {
    return sip.subscribers(app.context()).issueTemporary(owner, WebPhoneFeature.CREDENTIAL_LIFETIME, RANDOM).orElseThrow();
  }

  /** INVITE, 401, INVITE with credentials: answers the response to the second INVITE that ends the wait. */
  static String authenticatedInvite(WsSipClient c, String fromUser, SubscriberStore.Temporary cred, String number,
                                    String callId, String sdp) throws Exception {
    return authenticatedInvite(c, fromUser, cred, number, callId, sdp, domain);
  }

  /** The same towards the gateway whose SIP domain is {@code domain}. */
  static String authenticatedInvite(WsSipClient c, String fromUser, SubscriberStore.Temporary cred, String number,
                                    String callId, String sdp, String domain) throws Exception {
    String tag = WsSipClient.hex(4);
    c.send(c.invite(number, domain, fromUser, callId, tag, "z9hG4bK" + WsSipClient.hex(6), sdp, null));
    String challenge = c.awaitFinal(WAIT);
    assertNotNull(challenge, "no answer to the INVITE");
    assertEquals(401, WsSipClient.status(challenge), challenge);
    String auth = WsSipClient.authorization(challenge, cred.username(), cred.password(), "sip:" + number + "@" + domain);
    c.send(c.invite(number, domain, fromUser, callId, tag, "z9hG4bK" + WsSipClient.hex(6), sdp, auth));
    return callId;
  }

  static long trunkCallsTo(String number) {
    return trunk.calls().stream().filter(c -> number.equals(c.number())).count();
  }

  @Test
  void anUnauthenticatedWebSocketCannotPlaceACall() throws Exception {
    String number = "+15550177001";
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(wsUrl)) {
      c.send(c.invite(number, domain, "anyone", "ws-" + WsSipClient.hex(8), "t1", "z9hG4bK" + WsSipClient.hex(6),
          peer.offer(), null));
      String r = c.awaitFinal(WAIT);
      assertEquals(401, WsSipClient.status(r), r);
      // a made-up web credential, and a real one with a wrong password, are challenged again
      SubscriberStore.Temporary real = credential(MEMBER);
      for (SubscriberStore.Temporary wrong : new SubscriberStore.Temporary[] {
          new SubscriberStore.Temporary("web-00000000000000000000", "guess-guess-guess", MEMBER, Instant.now()),
          new SubscriberStore.Temporary(real.username(), real.password() + "x", MEMBER, real.expiresAt())}) {
        authenticatedInvite(c, wrong.username(), wrong, number, "ws-" + WsSipClient.hex(8), peer.offer());
        String again = c.awaitFinal(WAIT);
        assertEquals(401, WsSipClient.status(again), again);
      }
    }
    assertEquals(0, trunkCallsTo(number), "nothing reached the trunk");
  }

  @Test
  void aCredentialIsBoundToItsMemberAndCallerAndExpires() throws Exception {
    String number = "+15550177002";
    SubscriberStore.Temporary cred = credential(MEMBER);
    assertTrue(cred.username().startsWith(SubscriberStore.TEMPORARY_PREFIX) && cred.password().length() >= 32);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(wsUrl)) {
      // authenticated as one user while claiming to be another caller: refused
      authenticatedInvite(c, "demo", cred, number, "ws-" + WsSipClient.hex(8), peer.offer());
      String r = c.awaitFinal(WAIT);
      assertEquals(403, WsSipClient.status(r), r);
    }
    assertEquals(0, trunkCallsTo(number));
    // expiry, on an injected clock: the same credential answers nothing once its lifetime is over
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
    SubscriberStore store = new SubscriberStore(app.context().pool(), "mileage", clock);
    SubscriberStore.Temporary t = store.issueTemporary(MEMBER, WebPhoneFeature.CREDENTIAL_LIFETIME, RANDOM).orElseThrow();
    assertEquals(MEMBER, await(store.lookup(t.username()).toCompletionStage()).orElseThrow().owner());
    clock.advance(WebPhoneFeature.CREDENTIAL_LIFETIME.minusSeconds(1));
    assertTrue(await(store.lookup(t.username()).toCompletionStage()).isPresent());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(await(store.lookup(t.username()).toCompletionStage()).isEmpty(), "expired");
    assertEquals(SubscriberStore.ProvisionResult.INVALID_USERNAME,
        await(store.provision(MEMBER, "web-0123", "some-password-1").toCompletionStage()), "nobody provisions a web- name");
  }

  @Test
  void plainRtpFromTheBrowserSideIsRefused() throws Exception {
    String number = "+15550177003";
    String plain = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n";
    SubscriberStore.Temporary cred = credential(MEMBER);
    try (WsSipClient c = new WsSipClient(wsUrl)) {
      authenticatedInvite(c, cred.username(), cred, number, "ws-" + WsSipClient.hex(8), plain);
      String r = c.awaitFinal(WAIT);
      assertEquals(488, WsSipClient.status(r), r);
      assertTrue(r.startsWith("SIP/2.0 488 Not Acceptable Here (the audio stream is not UDP/TLS/RTP/SAVPF"), r);
    }
    assertEquals(0, trunkCallsTo(number));
  }

  @Test
  void aWrongDtlsFingerprintIsRefusedBeforeTheTrunkIsCalled() throws Exception {
    String number = "+15550177004";
    SubscriberStore.Temporary cred = credential(OTHER);
    long before = balance(OTHER);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(wsUrl)) {
      String otherFingerprint = JavaWebRtcPeer.create().identity.fingerprint().sdpValue();
      String offer = peer.offer().replace(peer.identity.fingerprint().sdpValue(), otherFingerprint);
      authenticatedInvite(c, cred.username(), cred, number, "ws-" + WsSipClient.hex(8), offer);
      String early = c.await("^SIP/2.0 183", WAIT);
      assertNotNull(early, "the browser gets our answer early");
      String answer = WsSipClient.body(early);
      peer.target(port(answer));
      assertNotNull(peer.check(attr(answer, "ice-ufrag"), attr(answer, "ice-pwd"), true));
      peer.handshake(Fingerprint.parse(attr(answer, "fingerprint")));
      String r = c.awaitFinal(WAIT);
      assertEquals(488, WsSipClient.status(r), r);
      assertEquals(java.util.Map.of(), FlowIndexProbe.of(sip.service().orElseThrow()),
          "a refused call leaves the flow index while its WebSocket stays open");
    }
    assertEquals(0, trunkCallsTo(number), "the trunk was never called");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (balance(OTHER) != before && System.nanoTime() < deadline) {
      Thread.sleep(50); // the meter voids the refused call's grant after the 488: poll, bounded
    }
    assertEquals(before, balance(OTHER), "nothing billed, nothing left reserved");
    assertTrue(await(ledger().accountsOf(OTHER)).stream().allMatch(a -> a.posted() == 6000), "nothing posted");
  }

  @Test
  void aBrowserCallFlowsSrtpThroughTheTrunksEchoAndTheGatewayHangsUpOverTheWebSocket() throws Exception {
    SubscriberStore.Temporary cred = credential(MEMBER);
    String number = DemoNumbers.ECHO;
    long trunkCallsBefore = trunkCallsTo(number);
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(wsUrl)) {
      String callId = "ws-" + WsSipClient.hex(8);
      authenticatedInvite(c, cred.username(), cred, number, callId, peer.offer());
      String early = c.await("^SIP/2.0 183", WAIT);
      assertNotNull(early);
      String answer = WsSipClient.body(early);
      assertTrue(answer.contains("UDP/TLS/RTP/SAVPF") && answer.contains("a=ice-lite"), answer);
      assertEquals(trunkCallsBefore, trunkCallsTo(number), "no trunk call before DTLS");
      peer.target(port(answer));
      assertNotNull(peer.check(attr(answer, "ice-ufrag"), attr(answer, "ice-pwd"), true));
      assertEquals(DtlsOutcome.OK, peer.handshake(Fingerprint.parse(attr(answer, "fingerprint"))).outcome());
      String ok = c.awaitFinal(WAIT);
      assertEquals(200, WsSipClient.status(ok), ok);
      assertEquals(answer, WsSipClient.body(ok), "the 200 repeats the early answer");
      c.send(c.ack(ok, number, domain));
      int echoed = 0;
      for (int seq = 1; seq <= 100 && echoed < 40; seq++) {
        peer.send(peer.srtp.protectRtp(DtlsSrtpLoopbackTest.rtp(0x5151, seq, 0, 160)));
        byte[] back = peer.media.poll(100, TimeUnit.MILLISECONDS);
        if (back != null && peer.srtp.unprotectRtp(back) != null) echoed++;
      }
      assertTrue(echoed >= 40, "the trunk's echo comes back encrypted: " + echoed + " " + sip.service().orElseThrow().mediaCounters());
      var counters = sip.service().orElseThrow().mediaCounters();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (counters.getOrDefault("web.send.passed", 0L) < 40 && System.nanoTime() < deadline) {
        Thread.sleep(20); // the gateway counts after sending: poll, bounded
        counters = sip.service().orElseThrow().mediaCounters();
      }
      assertTrue(counters.getOrDefault("web.relay.passed", 0L) >= 40, counters.toString());
      assertTrue(counters.getOrDefault("web.send.passed", 0L) >= 40, counters.toString());
      assertEquals(0L, counters.getOrDefault("web.decrypt.dropped", 0L), counters.toString());
      Map<String, Integer> index = FlowIndexProbe.of(sip.service().orElseThrow());
      assertEquals(1, index.size(), "the call is indexed under its WebSocket: " + index);
      assertTrue(index.containsValue(1), index.toString());
      // the operator ends the call: the gateway's BYE reaches the browser over its WebSocket
      String id = await(sip.service().orElseThrow().liveCalls().toCompletionStage()).stream()
          .filter(l -> l.username().equals(cred.username())).findFirst().orElseThrow().id();
      assertTrue(await(sip.service().orElseThrow().endCall(id).toCompletionStage()));
      String bye = c.await("^BYE ", WAIT);
      assertNotNull(bye, "BYE over the WebSocket");
      c.send(WsSipClient.ok(bye));
      assertEquals(java.util.Map.of(), FlowIndexProbe.of(sip.service().orElseThrow()),
          "an ended call leaves the flow index while its WebSocket stays open");
    }
  }

  /**
   * Hold from either side of a browser call: the browser's re-INVITE keeps its ICE and DTLS and only
   * changes direction, relayed to the trunk as the plain leg's offer; the trunk's hold is answered by the
   * gateway without bothering the browser; an ICE restart or a new certificate mid-call is refused (488)
   * and the call goes on.
   */
  @Test
  void holdFromEitherSideKeepsTheBrowserLegAndAMidCallIceRestartIsRefused() throws Exception {
    SubscriberStore.Temporary cred = credential(MEMBER);
    String number = DemoNumbers.ECHO;
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(wsUrl)) {
      String callId = "ws-" + WsSipClient.hex(8);
      authenticatedInvite(c, cred.username(), cred, number, callId, peer.offer());
      String answer = WsSipClient.body(c.await("^SIP/2.0 183", WAIT));
      peer.target(port(answer));
      assertNotNull(peer.check(attr(answer, "ice-ufrag"), attr(answer, "ice-pwd"), true));
      assertEquals(DtlsOutcome.OK, peer.handshake(Fingerprint.parse(attr(answer, "fingerprint"))).outcome());
      String ok = c.awaitFinal(WAIT);
      assertEquals(200, WsSipClient.status(ok), ok);
      c.send(c.ack(ok, number, domain));
      var trunkCall = trunk.calls().stream().filter(t -> number.equals(t.number()) && t.end() == dev.mileage.fixtures.sip.TrunkCall.End.NONE)
          .reduce((first, second) -> second).orElseThrow();

      // the browser holds: same ICE and certificate, a=sendonly
      c.send(c.reinvite(ok, number, domain, SdpRewriter.withDirection(peer.offer(), "sendonly")));
      String held = c.awaitFinal(WAIT);
      assertEquals(200, WsSipClient.status(held), held);
      String heldSdp = WsSipClient.body(held);
      assertTrue(heldSdp.contains("a=recvonly\r\n") && !heldSdp.contains("a=sendrecv"), heldSdp);
      assertEquals(attr(answer, "fingerprint"), attr(heldSdp, "fingerprint"), "the same DTLS association");
      assertEquals(attr(answer, "ice-ufrag"), attr(heldSdp, "ice-ufrag"), "the same ICE session");
      assertEquals(port(answer), port(heldSdp));
      c.send(c.ack(held, number, domain));
      assertEquals("sendonly", trunkCall.lastOfferDirection(), "the hold reached the trunk");
      // and resumes
      c.send(c.reinvite(ok, number, domain, peer.offer()));
      String resumed = c.awaitFinal(WAIT);
      assertEquals(200, WsSipClient.status(resumed), resumed);
      assertTrue(WsSipClient.body(resumed).contains("a=sendrecv\r\n"), resumed);
      c.send(c.ack(resumed, number, domain));
      assertEquals("sendrecv", trunkCall.lastOfferDirection());
      int reinvitesAtTrunk = trunkCall.reinvites();

      // an ICE restart and a new certificate are refused with the reason; the trunk hears nothing of them
      String restart = peer.offer().replace("a=ice-ufrag:" + attr(peer.offer(), "ice-ufrag"), "a=ice-ufrag:rstx");
      c.send(c.reinvite(ok, number, domain, restart));
      String refused = c.awaitFinal(WAIT);
      assertEquals(488, WsSipClient.status(refused), refused);
      assertTrue(refused.contains("ICE restart"), refused);
      String otherCert = peer.offer().replace(attr(peer.offer(), "fingerprint"),
          DtlsIdentity.generate(new SecureRandom(), Instant.now()).fingerprint().sdpValue());
      c.send(c.reinvite(ok, number, domain, otherCert));
      refused = c.awaitFinal(WAIT);
      assertEquals(488, WsSipClient.status(refused), refused);
      assertTrue(refused.contains("DTLS certificate"), refused);
      String noG711 = peer.offer().replace("UDP/TLS/RTP/SAVPF 111 0 8 126", "UDP/TLS/RTP/SAVPF 111 126");
      c.send(c.reinvite(ok, number, domain, noG711));
      assertEquals(488, WsSipClient.status(c.awaitFinal(WAIT)));
      assertEquals(reinvitesAtTrunk, trunkCall.reinvites(), "refused offers never reach the trunk");

      // the far end holds: answered by the gateway (recvonly), nothing sent to the browser
      var trunkHold = trunk.reinvite(trunkCall.callId(), "sendonly").get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(200, trunkHold.getStatusCode());
      String gatewayAnswer = new String(trunkHold.getRawContent(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(gatewayAnswer.contains("a=recvonly\r\n") && gatewayAnswer.contains("RTP/AVP"), gatewayAnswer);
      assertEquals(200, trunk.reinvite(trunkCall.callId(), "sendrecv").get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode());
      assertEquals(null, c.await("^INVITE ", Duration.ofMillis(500)), "the browser's leg is not renegotiated");

      // the call is still up and ends normally
      String id = await(sip.service().orElseThrow().liveCalls().toCompletionStage()).stream()
          .filter(l -> l.username().equals(cred.username())).findFirst().orElseThrow().id();
      assertTrue(await(sip.service().orElseThrow().endCall(id).toCompletionStage()));
      String bye = c.await("^BYE ", WAIT);
      assertNotNull(bye, "BYE over the WebSocket");
      c.send(WsSipClient.ok(bye));
    }
  }

  static Ledger ledger() {
    return app.context().ledger();
  }

  long balance(String owner) throws Exception {
    return await(ledger().accountsOf(owner)).stream().mapToLong(Account::available).sum();
  }

  static String attr(String sdp, String name) {
    for (String l : sdp.split("\r\n")) if (l.startsWith("a=" + name + ":")) return l.substring(name.length() + 3);
    throw new AssertionError("no a=" + name + " in " + sdp);
  }

  static int port(String sdp) {
    for (String l : sdp.split("\r\n")) if (l.startsWith("m=audio ")) return Integer.parseInt(l.split(" ")[1]);
    throw new AssertionError("no m=audio in " + sdp);
  }
}

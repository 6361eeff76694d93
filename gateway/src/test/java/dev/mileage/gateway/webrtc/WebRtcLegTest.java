package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.PortPool;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser leg over real loopback sockets against a Java WebRTC peer: ICE-lite checks, DTLS with the
 * fingerprint from the offer, SRTP up to a plain-RTP "relay" socket and back, and the refusals (plain
 * RTP, wrong STUN password, wrong certificate, strangers on the relay port).
 */
class WebRtcLegTest {
  private static Vertx vertx;
  private static Context context;
  private static PortPool ports;
  private static DtlsIdentity gatewayIdentity;
  private static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    int base = 20000 + RANDOM.nextInt(20000);
    ports = onContext(() -> new PortPool(vertx, "127.0.0.1", base, base + 400));
    gatewayIdentity = DtlsIdentity.generate(RANDOM, Instant.now());
  }

  @AfterAll
  static void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static <T> T onContext(java.util.concurrent.Callable<T> c) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(c.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  static WebRtcLeg open(String offerSdp, MediaCounters counters) throws Exception {
    WebRtcOffer offer = WebRtcOffer.parse(offerSdp);
    assertEquals(WebRtcOffer.Check.OK, offer.check());
    CompletableFuture<WebRtcLeg> f = new CompletableFuture<>();
    context.runOnContext(v -> WebRtcLeg.open(vertx, ports, counters, gatewayIdentity, "127.0.0.1", offer, RANDOM)
        .onComplete(ar -> {
          if (ar.succeeded()) f.complete(ar.result());
          else f.completeExceptionally(ar.cause());
        }));
    return f.get(10, TimeUnit.SECONDS);
  }

  static String attr(String sdp, String name) {
    for (String l : sdp.split("\r\n")) if (l.startsWith("a=" + name + ":")) return l.substring(name.length() + 3);
    return null;
  }

  static byte[] receive(DatagramSocket s) throws Exception {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      s.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  @Test
  void browserAudioIsDecryptedToTheRelayAndRelayAudioIsEncryptedBack() throws Exception {
    MediaCounters counters = new MediaCounters();
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create();
         DatagramSocket relay = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
         DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      relay.setSoTimeout(2000);
      WebRtcLeg leg = open(peer.offer(), counters);
      String answer = leg.answerSdp(7, 1);
      assertTrue(answer.contains("a=ice-lite\r\n") && answer.contains("a=setup:passive\r\n")
          && answer.contains("UDP/TLS/RTP/SAVPF 0 126") && answer.contains(" typ host"), answer);
      assertTrue(leg.plainSdp(7, 1).contains("m=audio " + leg.innerPort() + " RTP/AVP 0 126"));
      context.runOnContext(v -> leg.relay("127.0.0.1", relay.getLocalPort()));
      peer.target(leg.browserPort());

      // a check signed with the wrong password is not answered
      assertNull(peer.check(attr(answer, "ice-ufrag"), "wrongpasswordwrongpassword", true));
      assertEquals(1, counters.get("web.ice", "dropped"));
      // a valid check is answered with our signature and the address we saw
      byte[] response = peer.check(attr(answer, "ice-ufrag"), attr(answer, "ice-pwd"), true);
      assertNotNull(response);
      assertEquals(Stun.BINDING_SUCCESS, ByteBuffer.wrap(response).getShort(0) & 0xFFFF);
      int xport = (ByteBuffer.wrap(response).getShort(Stun.HEADER_BYTES + 6) & 0xFFFF) ^ (Stun.MAGIC_COOKIE >>> 16);
      assertEquals(peer.port(), xport);

      // plain RTP before and after keys is dropped, never relayed
      peer.send(DtlsSrtpLoopbackTest.rtp(0x1111, 1, 0, 160));
      assertEquals(DtlsOutcome.OK, peer.handshake(gatewayIdentity.fingerprint()).outcome());
      assertEquals(DtlsOutcome.OK, leg.secured().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      peer.send(DtlsSrtpLoopbackTest.rtp(0x1111, 2, 0, 160));

      byte[] first = null;
      for (int seq = 10; seq < 60; seq++) {
        byte[] plain = DtlsSrtpLoopbackTest.rtp(0x1111, seq, 0, 160);
        byte[] sealed = peer.srtp.protectRtp(plain);
        if (first == null) first = sealed;
        peer.send(sealed);
        assertArrayEquals(plain, receive(relay), "packet " + seq + " reaches the relay decrypted");
      }
      // the first packet again (a replay: authentic, but already received) is refused and counted apart
      peer.send(first);
      // a well-formed SRTP packet under the right keys, but from an address that is not the selected pair
      byte[] elsewhere = peer.srtp.protectRtp(DtlsSrtpLoopbackTest.rtp(0x1111, 62, 0, 160));
      stranger.send(new DatagramPacket(elsewhere, elsewhere.length,
          new InetSocketAddress(InetAddress.getLoopbackAddress(), leg.browserPort())));
      peer.send(peer.srtp.protectRtcp(DtlsSrtpLoopbackTest.rtcp(0x1111)));
      // an Opus packet (not negotiated for the relay) is dropped after decryption
      peer.send(peer.srtp.protectRtp(DtlsSrtpLoopbackTest.rtp(0x1111, 61, 111, 80)));
      relay.setSoTimeout(300);
      assertNull(receive(relay), "nothing but the 50 G.711 packets reached the relay");

      InetSocketAddress inner = new InetSocketAddress(InetAddress.getLoopbackAddress(), leg.innerPort());
      byte[] intruder = DtlsSrtpLoopbackTest.rtp(0x3333, 1, 0, 160);
      stranger.send(new DatagramPacket(intruder, intruder.length, inner));
      for (int seq = 1; seq <= 50; seq++) {
        byte[] plain = DtlsSrtpLoopbackTest.rtp(0x2222, seq, 0, 160);
        relay.send(new DatagramPacket(plain, plain.length, inner));
        byte[] got = peer.media.poll(2, TimeUnit.SECONDS);
        assertNotNull(got, "packet " + seq + " reaches the browser");
        assertArrayEquals(plain, peer.srtp.unprotectRtp(got));
      }

      // counters are bumped on the event loop right after the send: wait for the last one (bounded)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (counters.get("web.send", "passed") < 50 && System.nanoTime() < deadline) Thread.onSpinWait();
      assertEquals(50, counters.get("web.relay", "passed"));
      assertEquals(1, counters.get("web.decrypt", "dropped"), "the plain RTP packet after the keys fails authentication");
      assertEquals(1, counters.get("web.before-keys", "passed"), "the one before the keys is counted apart");
      assertEquals(1, counters.get("web.replayed", "passed"), "the replay is refused, not relayed, and not a forgery");
      assertEquals(1, counters.get("web.source", "dropped"), "the packet from another address never reaches the keys");
      assertEquals(55, counters.get("web.source", "passed"), "two plain, 50 audio, the replay, the RTCP and the Opus packet");
      assertEquals(1, counters.get("web.rtcp", "passed"));
      assertEquals(1, counters.get("web.check", "dropped"));
      assertEquals(1, counters.get("web.inner.from-relay", "dropped"), "the stranger");
      assertEquals(50, counters.get("web.send", "passed"));
      assertEquals(50, counters.get("web.encrypt", "passed"));
      assertTrue(counters.get("web.dtls", "passed") >= 2);
      context.runOnContext(v -> leg.close());
    }
  }

  @Test
  void aCertificateThatIsNotTheOfferedOneIsRefused() throws Exception {
    MediaCounters counters = new MediaCounters();
    try (JavaWebRtcPeer announced = JavaWebRtcPeer.create(); JavaWebRtcPeer impostor = JavaWebRtcPeer.create()) {
      WebRtcLeg leg = open(announced.offer(), counters);
      String answer = leg.answerSdp(8, 1);
      impostor.target(leg.browserPort());
      assertNotNull(impostor.check(attr(answer, "ice-ufrag"), attr(answer, "ice-pwd"), true));
      DtlsResult client = impostor.handshake(gatewayIdentity.fingerprint());
      assertTrue(client.outcome() != DtlsOutcome.OK);
      assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH,
          leg.secured().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
      assertNull(leg.srtp());
      context.runOnContext(v -> leg.close());
    }
  }

  @Test
  void offersThatCannotBeAnsweredSaySo() throws Exception {
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create()) {
      String ok = peer.offer();
      assertEquals(WebRtcOffer.Check.OK, WebRtcOffer.parse(ok).check());
      assertEquals(WebRtcOffer.Check.NOT_DTLS_SRTP, WebRtcOffer.parse(ok.replace("UDP/TLS/RTP/SAVPF", "RTP/AVP")).check());
      assertEquals(WebRtcOffer.Check.NO_FINGERPRINT,
          WebRtcOffer.parse(ok.replaceAll("a=fingerprint:[^\r]*\r\n", "")).check());
      assertEquals(WebRtcOffer.Check.NO_FINGERPRINT,
          WebRtcOffer.parse(ok.replaceAll("a=fingerprint:sha-256", "a=fingerprint:sha-1")).check());
      assertEquals(WebRtcOffer.Check.NO_RTCP_MUX, WebRtcOffer.parse(ok.replace("a=rtcp-mux\r\n", "")).check());
      assertEquals(WebRtcOffer.Check.NO_ICE, WebRtcOffer.parse(ok.replaceAll("a=ice-pwd:[^\r]*\r\n", "")).check());
      assertEquals(WebRtcOffer.Check.NO_G711,
          WebRtcOffer.parse(ok.replace("SAVPF 111 0 8 126", "SAVPF 111 126")).check());
      assertEquals(WebRtcOffer.Check.NO_AUDIO, WebRtcOffer.parse("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n").check());
      assertEquals(WebRtcOffer.Check.MALFORMED, WebRtcOffer.parse("").check());
      assertEquals(8, WebRtcOffer.parse(ok.replace("SAVPF 111 0 8 126", "SAVPF 8 0")).codec(), "browser order wins");
    }
  }
}

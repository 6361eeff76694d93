package dev.mileage.gateway.webrtc;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Two real DTLS 1.2 endpoints (BouncyCastle) handshake over in-memory datagrams, check each other's
 * certificate against the expected SDP fingerprint, export DTLS-SRTP keys, and then protect/unprotect
 * RTP and RTCP both ways with jitsi-srtp.
 */
class DtlsSrtpLoopbackTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static DtlsIdentity server;
  private static DtlsIdentity client;
  private static DtlsIdentity stranger;

  @BeforeAll
  static void identities() {
    Instant now = Instant.now();
    server = DtlsIdentity.generate(RANDOM, now);
    client = DtlsIdentity.generate(RANDOM, now);
    stranger = DtlsIdentity.generate(RANDOM, now);
  }

  /** Runs both handshakes on two threads over cross-wired queues. */
  static DtlsResult[] handshake(Fingerprint serverExpects, Fingerprint clientExpects) throws Exception {
    return handshake(server, client, serverExpects, clientExpects);
  }

  /** The same between any two identities. */
  static DtlsResult[] handshake(DtlsIdentity server, DtlsIdentity client, Fingerprint serverExpects,
                                Fingerprint clientExpects) throws Exception {
    AtomicReference<DtlsTransportQueue> toServer = new AtomicReference<>();
    AtomicReference<DtlsTransportQueue> toClient = new AtomicReference<>();
    DtlsTransportQueue s = new DtlsTransportQueue(r -> toClient.get().offer(r));
    DtlsTransportQueue c = new DtlsTransportQueue(r -> toServer.get().offer(r));
    toServer.set(s);
    toClient.set(c);
    CompletableFuture<DtlsResult> sr = CompletableFuture.supplyAsync(() -> DtlsHandshake.run(true, server, serverExpects, s));
    CompletableFuture<DtlsResult> cr = CompletableFuture.supplyAsync(() -> DtlsHandshake.run(false, client, clientExpects, c));
    return new DtlsResult[] {sr.get(30, TimeUnit.SECONDS), cr.get(30, TimeUnit.SECONDS)};
  }

  static byte[] rtp(int ssrc, int seq, int payloadType, int payloadBytes) {
    byte[] p = new byte[12 + payloadBytes];
    p[0] = (byte) 0x80;
    p[1] = (byte) payloadType;
    p[2] = (byte) (seq >> 8);
    p[3] = (byte) seq;
    p[4] = 0;
    p[5] = 0;
    p[6] = (byte) (seq * 160 >> 8);
    p[7] = (byte) (seq * 160);
    p[8] = (byte) (ssrc >> 24);
    p[9] = (byte) (ssrc >> 16);
    p[10] = (byte) (ssrc >> 8);
    p[11] = (byte) ssrc;
    for (int i = 12; i < p.length; i++) p[i] = (byte) (i * 7 + seq);
    return p;
  }

  /** A minimal RTCP receiver report (RFC 3550 6.4.2) with no report blocks. */
  static byte[] rtcp(int ssrc) {
    return new byte[] {(byte) 0x80, (byte) 201, 0, 1, (byte) (ssrc >> 24), (byte) (ssrc >> 16), (byte) (ssrc >> 8), (byte) ssrc};
  }

  @Test
  void handshakeExportsMatchingKeysAndSrtpFlowsBothWays() throws Exception {
    DtlsResult[] r = handshake(client.fingerprint(), server.fingerprint());
    assertEquals(DtlsOutcome.OK, r[0].outcome());
    assertEquals(DtlsOutcome.OK, r[1].outcome());
    SrtpKeys sk = r[0].keys();
    SrtpKeys ck = r[1].keys();
    assertArrayEquals(sk.localKey(), ck.remoteKey());
    assertArrayEquals(sk.localSalt(), ck.remoteSalt());
    assertArrayEquals(ck.localKey(), sk.remoteKey());
    assertFalse(Arrays.equals(sk.localKey(), sk.remoteKey()), "each direction has its own key");

    try (SrtpSession gw = new SrtpSession(sk); SrtpSession browser = new SrtpSession(ck)) {
      for (int seq = 1; seq <= 50; seq++) {
        byte[] up = rtp(0x1234, seq, 0, 160);
        byte[] upSrtp = browser.protectRtp(up);
        assertEquals(up.length + SrtpSession.SRTP_TAG_BYTES, upSrtp.length);
        assertFalse(Arrays.equals(Arrays.copyOfRange(up, 12, up.length), Arrays.copyOfRange(upSrtp, 12, up.length)),
            "payload is encrypted");
        assertArrayEquals(up, gw.unprotectRtp(upSrtp));

        byte[] down = rtp(0x9876, seq, 8, 160);
        assertArrayEquals(down, browser.unprotectRtp(gw.protectRtp(down)));
      }
      byte[] upRtcp = rtcp(0x1234);
      byte[] upSrtcp = browser.protectRtcp(upRtcp);
      assertEquals(upRtcp.length + SrtpSession.SRTCP_TRAILER_BYTES, upSrtcp.length);
      assertArrayEquals(upRtcp, gw.unprotectRtcp(upSrtcp));
      assertArrayEquals(rtcp(0x9876), browser.unprotectRtcp(gw.protectRtcp(rtcp(0x9876))));

      // tampering, replay and plain RTP are all refused
      byte[] tampered = browser.protectRtp(rtp(0x1234, 60, 0, 160));
      byte[] replay = tampered.clone();
      tampered[20] ^= 1;
      assertNull(gw.unprotectRtp(tampered), "a flipped bit fails authentication");
      assertNotNull(gw.unprotectRtp(replay));
      assertNull(gw.unprotectRtp(replay), "a replayed packet is refused");
      assertNull(gw.unprotectRtp(rtp(0x1234, 61, 0, 160)), "plain RTP does not authenticate");
    }
  }

  @Test
  void wrongFingerprintIsRefusedByTheServer() throws Exception {
    DtlsResult[] r = handshake(stranger.fingerprint(), server.fingerprint());
    assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH, r[0].outcome());
    assertNull(r[0].keys());
    assertFalse(r[1].outcome() == DtlsOutcome.OK, "the client must not get keys either");
  }

  @Test
  void wrongFingerprintIsRefusedByTheClient() throws Exception {
    DtlsResult[] r = handshake(client.fingerprint(), stranger.fingerprint());
    assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH, r[1].outcome());
    assertFalse(r[0].outcome() == DtlsOutcome.OK);
  }

  @Test
  void missingFingerprintIsRefusedBeforeAnyHandshake() {
    DtlsTransportQueue q = new DtlsTransportQueue(b -> {
      throw new AssertionError("nothing may be sent");
    });
    assertEquals(DtlsOutcome.FINGERPRINT_MISSING, DtlsHandshake.run(true, server, null, q).outcome());
  }

  @Test
  void fingerprintParsing() {
    Fingerprint f = server.fingerprint();
    assertEquals(f, Fingerprint.parse(f.sdpValue()));
    assertEquals(f, Fingerprint.parse(f.sdpValue().toLowerCase()));
    assertNull(Fingerprint.parse("sha-1 AB:CD"));
    assertNull(Fingerprint.parse("sha-256 " + "AB:".repeat(31) + "ZZ"));
    assertNull(Fingerprint.parse("sha-256 " + "AB".repeat(32)));
    assertNull(Fingerprint.parse(null));
  }
}

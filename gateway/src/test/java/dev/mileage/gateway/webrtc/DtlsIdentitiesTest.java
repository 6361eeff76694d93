package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.MutableClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The gateway's DTLS identity is renewed daily on the injected clock: the same one all day, a new key and
 * certificate once it is a day old (and after the clock is set back), each certificate valid from a day back
 * to {@link DtlsIdentity#VALIDITY} ahead, and a peer that still expects the old fingerprint is refused while
 * the new one completes a real DTLS handshake.
 */
class DtlsIdentitiesTest {
  static final Instant START = Instant.parse("2026-11-24T01:00:00Z");

  @Test
  void oneIdentityADayEachValidForThirtyDaysFromItsStart() throws Exception {
    MutableClock clock = new MutableClock(START);
    DtlsIdentities identities = new DtlsIdentities(new SecureRandom(), clock);
    DtlsIdentity first = identities.forNewCall();
    assertSame(first, identities.forNewCall());
    clock.advance(DtlsIdentities.ROTATION.minusSeconds(1));
    assertSame(first, identities.forNewCall(), "the same key pair all day");
    assertEquals(1, identities.generated());

    clock.advance(Duration.ofSeconds(1));
    DtlsIdentity second = identities.forNewCall();
    assertNotEquals(first.fingerprint().sdpValue(), second.fingerprint().sdpValue(), "a new key pair after a day");
    assertEquals(2, identities.generated());

    X509Certificate x509 = x509(second);
    Instant renewedAt = START.plus(DtlsIdentities.ROTATION);
    assertEquals(renewedAt.minus(Duration.ofDays(1)), x509.getNotBefore().toInstant());
    assertEquals(renewedAt.plus(DtlsIdentity.VALIDITY), x509.getNotAfter().toInstant());
    assertEquals(x509.getNotAfter().toInstant(), second.notAfter());
    assertEquals("SHA256withECDSA", x509.getSigAlgName());
    x509.verify(x509.getPublicKey()); // self-signed, as WebRTC endpoints' are

    // a clock set back before the identity's start renews it too (never a certificate not yet valid)
    clock.advance(Duration.ofHours(-2));
    DtlsIdentity third = identities.forNewCall();
    assertNotEquals(second.fingerprint().sdpValue(), third.fingerprint().sdpValue());
    assertEquals(3, identities.generated());
  }

  @Test
  void aPeerHoldingTheOldFingerprintIsRefusedAndTheNewOneHandshakes() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    DtlsIdentities identities = new DtlsIdentities(new SecureRandom(), clock);
    DtlsIdentity before = identities.forNewCall();
    clock.advance(DtlsIdentities.ROTATION);
    DtlsIdentity after = identities.forNewCall();
    DtlsIdentity browser = DtlsIdentity.generate(new SecureRandom(), Instant.now());

    DtlsResult[] stale = DtlsSrtpLoopbackTest.handshake(after, browser, browser.fingerprint(), before.fingerprint());
    assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH, stale[1].outcome(), "the browser checks what the SDP announced");
    DtlsResult[] fresh = DtlsSrtpLoopbackTest.handshake(after, browser, browser.fingerprint(), after.fingerprint());
    assertEquals(DtlsOutcome.OK, fresh[0].outcome());
    assertEquals(DtlsOutcome.OK, fresh[1].outcome());
  }

  @Test
  void browserCallsAnswerWithTheRenewedFingerprint() {
    MutableClock clock = new MutableClock(START);
    WebRtcCalls calls = new WebRtcCalls(config -> WebRtcCalls.Options.ws(0));
    calls.configure(null, clock);
    String first = calls.fingerprint().sdpValue();
    clock.advance(Duration.ofHours(23));
    assertEquals(first, calls.fingerprint().sdpValue());
    clock.advance(Duration.ofHours(1));
    assertNotEquals(first, calls.fingerprint().sdpValue(), "new calls get the renewed identity");
  }

  static X509Certificate x509(DtlsIdentity identity) throws Exception {
    byte[] der = identity.certificate().getCertificateAt(0).getEncoded();
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
  }
}

package dev.mileage.gateway.webrtc;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * A self-signed ECDSA P-256 certificate for DTLS, as WebRTC endpoints use (RFC 8827 5.5): nobody checks
 * its issuer; the peer checks its SHA-256 fingerprint against the one our SDP announced.
 */
public final class DtlsIdentity {
  /** Browsers refuse certificates valid for more than a year or not yet valid; start a day back. */
  static final Duration VALIDITY = Duration.ofDays(30);

  private final BcTlsCrypto crypto;
  private final Certificate certificate;
  private final AsymmetricKeyParameter privateKey;
  private final Fingerprint fingerprint;
  private final Instant notAfter;

  private DtlsIdentity(BcTlsCrypto crypto, Certificate certificate, AsymmetricKeyParameter privateKey, Fingerprint fingerprint,
                       Instant notAfter) {
    this.crypto = crypto;
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.fingerprint = fingerprint;
    this.notAfter = notAfter;
  }

  public static DtlsIdentity generate(SecureRandom random, Instant now) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair kp = g.generateKeyPair();
      X500Name name = new X500Name("CN=mileage-webrtc");
      Instant notAfter = now.plus(VALIDITY).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(63, random),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(notAfter), name, kp.getPublic());
      byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
      BcTlsCrypto crypto = new BcTlsCrypto(random);
      TlsCertificate tlsCert = crypto.createCertificate(der);
      return new DtlsIdentity(crypto, new Certificate(new TlsCertificate[] {tlsCert}),
          PrivateKeyFactory.createKey(kp.getPrivate().getEncoded()), Fingerprint.sha256Of(der), notAfter);
    } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot create the DTLS certificate", e);
    }
  }

  public BcTlsCrypto crypto() {
    return crypto;
  }

  Certificate certificate() {
    return certificate;
  }

  AsymmetricKeyParameter privateKey() {
    return privateKey;
  }

  /** The end of the certificate's validity. */
  Instant notAfter() {
    return notAfter;
  }

  /** What our SDP says in {@code a=fingerprint}. */
  public Fingerprint fingerprint() {
    return fingerprint;
  }
}

package dev.mileage.gateway.webrtc;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;

/**
 * One DTLS 1.2 handshake for DTLS-SRTP (RFC 5763/5764), blocking, on a worker thread. Both roles: the
 * gateway is the server when the browser's offer says {@code a=setup:actpass} or {@code active}; the
 * client role is used by tests and the bench. Either way the peer must present the certificate whose
 * SHA-256 fingerprint its SDP announced, and must agree on SRTP_AES128_CM_HMAC_SHA1_80.
 */
public final class DtlsHandshake {
  /** The browser retransmits for about this long; after it the call is refused. */
  static final int HANDSHAKE_TIMEOUT_MS = 10_000;
  private static final int[] CIPHER_SUITES = {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
  };
  private static final int PROFILE = SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
  private static final SignatureAndHashAlgorithm ECDSA_SHA256 = SignatureAndHashAlgorithm.getInstance(
      org.bouncycastle.tls.HashAlgorithm.sha256, org.bouncycastle.tls.SignatureAlgorithm.ecdsa);

  private DtlsHandshake() {
  }

  /** Runs the handshake; never throws for what the peer does, answers an outcome instead. */
  public static DtlsResult run(boolean server, DtlsIdentity identity, Fingerprint expected, DtlsTransportQueue transport) {
    if (expected == null) return DtlsResult.failed(DtlsOutcome.FINGERPRINT_MISSING);
    Verdict verdict = new Verdict();
    try {
      if (server) {
        Server peer = new Server(identity, expected, verdict);
        new DTLSServerProtocol().accept(peer, transport);
      } else {
        Client peer = new Client(identity, expected, verdict);
        new DTLSClientProtocol().connect(peer, transport);
      }
      byte[] material = verdict.material;
      if (material == null) return DtlsResult.failed(DtlsOutcome.HANDSHAKE_FAILED);
      return new DtlsResult(DtlsOutcome.OK, SrtpKeys.fromExport(material, !server));
    } catch (IOException | RuntimeException e) {
      return DtlsResult.failed(verdict.failure != null ? verdict.failure : DtlsOutcome.HANDSHAKE_FAILED);
    } finally {
      // DTLS application data is not used (no data channels); SRTP runs on the exported keys. Closing
      // the queue stops all further DTLS output, so no close_notify reaches the browser (which would
      // tear its transport down); the DTLSTransport itself holds nothing else worth releasing.
      transport.close();
    }
  }

  /** What the callbacks learnt, read by the handshake thread after the protocol returns. */
  private static final class Verdict {
    volatile DtlsOutcome failure;
    volatile byte[] material;

    void checkPeer(Certificate chain, Fingerprint expected) throws IOException {
      if (chain == null || chain.isEmpty() || !expected.matches(chain.getCertificateAt(0).getEncoded())) {
        failure = DtlsOutcome.FINGERPRINT_MISMATCH;
        throw new TlsFatalAlert(AlertDescription.bad_certificate);
      }
    }

    void checkProfile(UseSRTPData data) throws IOException {
      boolean ok = false;
      if (data != null) for (int p : data.getProtectionProfiles()) ok |= p == PROFILE;
      if (!ok) {
        failure = DtlsOutcome.NO_SRTP_PROFILE;
        throw new TlsFatalAlert(AlertDescription.handshake_failure);
      }
    }

    void export(TlsContext context) {
      material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeys.EXPORT_BYTES);
    }
  }

  private static TlsCredentialedSigner signer(TlsContext context, DtlsIdentity identity) {
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), identity.crypto(),
        identity.privateKey(), identity.certificate(), ECDSA_SHA256);
  }

  private static final class Server extends DefaultTlsServer {
    private final DtlsIdentity identity;
    private final Fingerprint expected;
    private final Verdict verdict;

    Server(DtlsIdentity identity, Fingerprint expected, Verdict verdict) {
      super(identity.crypto());
      this.identity = identity;
      this.expected = expected;
      this.verdict = verdict;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return HANDSHAKE_TIMEOUT_MS;
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() {
      return signer(context, identity);
    }

    @Override
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
      super.processClientExtensions(clientExtensions);
      verdict.checkProfile(TlsSRTPUtils.getUseSRTPExtension(clientExtensions));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable getServerExtensions() throws IOException {
      Hashtable ext = super.getServerExtensions();
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {PROFILE}, TlsUtils.EMPTY_BYTES));
      return ext;
    }

    /** WebRTC peers authenticate each other: the browser must show the certificate its SDP named. */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CertificateRequest getCertificateRequest() {
      Vector algorithms = new Vector();
      algorithms.add(ECDSA_SHA256);
      algorithms.add(SignatureAndHashAlgorithm.getInstance(org.bouncycastle.tls.HashAlgorithm.sha256,
          org.bouncycastle.tls.SignatureAlgorithm.rsa));
      return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
          algorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
      verdict.checkPeer(clientCertificate, expected);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      verdict.export(context);
    }
  }

  private static final class Client extends DefaultTlsClient {
    private final DtlsIdentity identity;
    private final Fingerprint expected;
    private final Verdict verdict;

    Client(DtlsIdentity identity, Fingerprint expected, Verdict verdict) {
      super(identity.crypto());
      this.identity = identity;
      this.expected = expected;
      this.verdict = verdict;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
      return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
      return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
      return HANDSHAKE_TIMEOUT_MS;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Hashtable getClientExtensions() throws IOException {
      Hashtable ext = TlsExtensionsUtilsCompat.ensure(super.getClientExtensions());
      TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {PROFILE}, TlsUtils.EMPTY_BYTES));
      return ext;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
      super.processServerExtensions(serverExtensions);
      verdict.checkProfile(TlsSRTPUtils.getUseSRTPExtension(serverExtensions));
    }

    @Override
    public TlsAuthentication getAuthentication() {
      return new TlsAuthentication() {
        @Override
        public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
          verdict.checkPeer(serverCertificate == null ? null : serverCertificate.getCertificate(), expected);
        }

        @Override
        public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
          return signer(context, identity);
        }
      };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
      super.notifyHandshakeComplete();
      verdict.export(context);
    }
  }

  /** super.getClientExtensions() may answer null when it has nothing to add. */
  private static final class TlsExtensionsUtilsCompat {
    @SuppressWarnings("rawtypes")
    static Hashtable ensure(Hashtable h) {
      return h == null ? new Hashtable() : h;
    }
  }
}

package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.Features;
import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.sip.SipFeature;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a key store configured ({@code --sip-tls-key-store}), browsers reach the gateway over WSS: the TLS
 * handshake with the configured certificate, the {@code sip} subprotocol, and SIP inside (an INVITE
 * without credentials is challenged with MD5 digest only).
 */
class SecureWebSocketTest {
  static final char[] PASSWORD = "key-store-password".toCharArray();
  @TempDir
  Path dir;

  static Path keyStore(Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=127.0.0.1");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name, kp.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("gateway", kp.getPrivate(), PASSWORD, new X509Certificate[] {cert});
    Path file = dir.resolve("gateway.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, PASSWORD);
    }
    return file;
  }

  /** A client that trusts exactly the gateway's certificate (and checks the host name against it). */
  static SSLContext trusting(Path keyStore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keyStore)) {
      ks.load(in, PASSWORD);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("gateway", ks.getCertificate("gateway"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
    return ssl;
  }

  @Test
  void browsersTalkSipOverWssWithTheConfiguredCertificate() throws Exception {
    Path ks = keyStore(dir);
    GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, dir.resolve("data"), Optional.empty(), false, false,
        "operator", "wss-test-operator-password", "sip:pstn@127.0.0.1:5080", 0, Optional.of(ks), new String(PASSWORD));
    MeteringFeature metering = new MeteringFeature();
    WebRtcCalls web = new WebRtcCalls();
    GatewayApp app = new GatewayApp(config, Features.all(metering, new SipFeature(metering, web)), Clock.systemUTC());
    try {
      app.start();
      String url = web.webSocketUrl().orElseThrow();
      assertTrue(url.startsWith("wss://127.0.0.1:"), url);
      assertTrue(app.bannerLines().stream().anyMatch(l -> l.contains(url) && l.contains("WSS")), app.bannerLines().toString());
      HttpClient http = HttpClient.newBuilder().sslContext(trusting(ks)).build();
      CompletableFuture<String> reply = new CompletableFuture<>();
      WebSocket ws = http.newWebSocketBuilder().subprotocols("sip").buildAsync(URI.create(url), new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          text.append(data);
          if (last) reply.complete(text.toString());
          w.request(1);
          return null;
        }
      }).get(15, TimeUnit.SECONDS);
      assertEquals("sip", ws.getSubprotocol());
      String sdp = JavaWebRtcPeer.create().offer();
      String invite = "INVITE sip:+15550100001@127.0.0.1 SIP/2.0\r\n"
          + "Via: SIP/2.0/WSS abcdef.invalid;branch=z9hG4bK" + System.nanoTime() + "\r\n"
          + "Max-Forwards: 70\r\nTo: <sip:+15550100001@127.0.0.1>\r\nFrom: <sip:someone@127.0.0.1>;tag=x1\r\n"
          + "Call-ID: wss-" + System.nanoTime() + "\r\nCSeq: 1 INVITE\r\nContact: <sip:a@abcdef.invalid;transport=ws>\r\n"
          + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
      ws.sendText(invite, true).get(5, TimeUnit.SECONDS);
      String response = reply.get(15, TimeUnit.SECONDS);
      assertNotNull(response);
      assertTrue(response.startsWith("SIP/2.0 401"), response);
      assertTrue(response.contains("algorithm=MD5") && !response.contains("SHA-256"), response);
      ws.abort();
    } finally {
      app.stop();
    }
  }
}

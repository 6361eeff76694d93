package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The digest arithmetic against the published examples of RFC 2617 and RFC 7616 (same computation as SIP's). */
class DigestTest {
  @Test
  void rfc2617Md5Example() {
    assertEquals("6629fae49393a05397450978507c4ef1", Digest.response(Digest.Algorithm.MD5, "Mufasa",
        "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "00000001", "0a4f113b", "auth"));
  }

  @Test
  void rfc7616Sha256AndMd5Examples() {
    String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        Digest.response(Digest.Algorithm.SHA_256, "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
            "/dir/index.html", nonce, "00000001", cnonce, "auth"));
    assertEquals("8ca523f5e9506fed4657c9700eebdbec", Digest.response(Digest.Algorithm.MD5, "Mufasa",
        "http-auth@example.org", "Circle of Life", "GET", "/dir/index.html", nonce, "00000001", cnonce, "auth"));
  }

  @Test
  void parsesAChallengeAndBuildsTheHeader() {
    Digest.Challenge c = Digest.parse("Digest realm=\"mileage\", nonce=\"abc,def\", algorithm=SHA-256, "
        + "qop=\"auth,auth-int\", opaque=\"xyz\"");
    assertEquals("mileage", c.realm());
    assertEquals("abc,def", c.nonce());
    assertEquals(Digest.Algorithm.SHA_256, c.algorithm());
    assertTrue(c.qopAuth());
    String header = Digest.authorization(c, "alice", "pw", "INVITE", "sip:+1555@127.0.0.1", 1, "c0ffee");
    assertTrue(header.startsWith("Digest username=\"alice\", realm=\"mileage\", nonce=\"abc,def\""), header);
    assertTrue(header.contains("algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"c0ffee\", opaque=\"xyz\""), header);
  }

  @Test
  void unusableChallengesAreRefusedNotGuessed() {
    assertNull(Digest.parse("Basic realm=\"x\""));
    assertNull(Digest.parse("Digest realm=\"x\""));
    assertNull(Digest.parse("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256"));
    assertEquals(Digest.Algorithm.MD5, Digest.parse("Digest realm=\"x\", nonce=\"n\"").algorithm());
  }

  @Test
  void mediaAddressIsReadFromSdpOnlyOnLoopback() {
    byte[] local = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 20002 RTP/AVP 0\r\n".getBytes();
    assertEquals(20002, RtpSource.mediaAddress(local).getPort());
    assertNull(RtpSource.mediaAddress("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 20002 RTP/AVP 0\r\n".getBytes()));
    assertNull(RtpSource.mediaAddress("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio x RTP/AVP 0\r\n".getBytes()));
    assertNull(RtpSource.mediaAddress(null));
  }
}

package dev.mileage.gateway.media;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdpRewriterTest {
  static final String PHONE = String.join("\r\n",
      "v=0", "o=phone 123 456 IN IP4 10.0.0.5", "s=call", "c=IN IP4 10.0.0.5", "t=0 0",
      "m=audio 4000 RTP/AVP 18 0 8 101", "a=rtpmap:18 G729/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=fmtp:18 annexb=no", "a=ptime:20", "a=sendonly",
      "a=candidate:1 1 UDP 2130706431 10.0.0.5 4000 typ host", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:abc",
      "m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000", "") ;

  @Test
  void readsTheAudioStreamWithOnlyRelayableCodecs() {
    SdpRewriter.Audio a = SdpRewriter.audio(PHONE);
    assertEquals("10.0.0.5", a.host());
    assertEquals(4000, a.port());
    assertEquals(Set.of(0, 8, 101), a.payloadTypes());
    assertEquals("sendonly", a.direction());
    assertFalse(a.receives());
  }

  @Test
  void rewritesForTheOtherLeg() {
    String out = SdpRewriter.rewrite(PHONE, "192.0.2.1", 30000, 77, 3);
    assertTrue(out.contains("o=mileage 77 3 IN IP4 192.0.2.1\r\n"));
    assertTrue(out.contains("c=IN IP4 192.0.2.1\r\n"));
    assertTrue(out.contains("m=audio 30000 RTP/AVP 0 8 101\r\n"));
    assertTrue(out.contains("a=rtpmap:101 telephone-event/8000"));
    assertTrue(out.contains("a=sendonly"));
    assertFalse(out.contains("G729"), "no codec we cannot relay as is");
    assertFalse(out.contains("annexb"));
    assertFalse(out.contains("candidate"), "the far side's transport details stay on its leg");
    assertFalse(out.contains("crypto"));
    assertFalse(out.contains("10.0.0.5"));
    assertTrue(out.contains("m=video 0 RTP/AVP 96\r\n"), "other streams kept but rejected, so m-lines still match");
    assertFalse(out.contains("H264"));
  }

  @Test
  void refusesOffersWithoutG711AndGarbage() {
    String g729Only = PHONE.replace("m=audio 4000 RTP/AVP 18 0 8 101", "m=audio 4000 RTP/AVP 18");
    assertFalse(SdpRewriter.hasG711(SdpRewriter.audio(g729Only)));
    assertNull(SdpRewriter.rewrite(g729Only, "192.0.2.1", 30000, 1, 1));
    assertNull(SdpRewriter.audio("v=0\r\nm=audio notaport RTP/AVP 0\r\n"));
    assertNull(SdpRewriter.audio("v=0\r\ns=-\r\n"));
    assertNull(SdpRewriter.audio("m=audio 4000 RTP/SAVPF 0\r\nc=IN IP4 1.2.3.4\r\n"), "SRTP/ICE offers are the browser leg's");
    assertNull(SdpRewriter.audio(null));
  }

  @Test
  void readsTheRtcpPortOfRfc3605AndRefusesABadOne() {
    String head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assertEquals(0, SdpRewriter.audio(head).rtcpPort(), "absent: RTP + 1 applies");
    assertEquals(4711, SdpRewriter.audio(head + "a=rtcp:4711\r\n").rtcpPort());
    assertEquals(4711, SdpRewriter.audio(head + "a=rtcp:4711 IN IP4 192.0.2.1\r\n").rtcpPort());
    assertNull(SdpRewriter.audio(head + "a=rtcp:70000\r\n"));
    assertNull(SdpRewriter.audio(head + "a=rtcp:x\r\n"));
    assertFalse(SdpRewriter.rewrite(head + "a=rtcp:4711\r\n", "127.0.0.1", 5000, 1, 1).contains("a=rtcp"),
        "the other leg gets our RTCP, on our RTP + 1");
  }

  @Test
  void readsRtcpMuxOnlyInTheAudioStream() {
    String head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assertFalse(SdpRewriter.audio(head).rtcpMux());
    assertTrue(SdpRewriter.audio(head + "a=rtcp-mux\r\n").rtcpMux());
    assertTrue(SdpRewriter.audio(head + "a=RTCP-MUX\r\n").rtcpMux(), "attribute names are case-insensitive here");
    assertFalse(SdpRewriter.audio(head + "m=video 5000 RTP/AVP 96\r\na=rtcp-mux\r\n").rtcpMux(), "another stream's");
    assertFalse(SdpRewriter.audio(PHONE).rtcpMux());
  }

  /** Offers always multiplex (RFC 5761 5.1.1); an answer only when its offer did (5.1.2); never two lines. */
  @Test
  void writesRtcpMuxInTheAudioStreamWhenAskedAndOnlyThen() {
    String muxedOffer = PHONE.replace("a=sendonly", "a=sendonly\r\na=rtcp-mux");
    String offer = SdpRewriter.rewrite(PHONE, "192.0.2.1", 30000, 77, 3, true);
    String audio = offer.substring(offer.indexOf("m=audio"), offer.indexOf("m=video"));
    assertTrue(audio.contains("a=rtcp-mux\r\n"), "in the audio stream, before the rejected video");
    assertFalse(offer.substring(offer.indexOf("m=video")).contains("rtcp-mux"));
    assertEquals(1, count(SdpRewriter.rewrite(muxedOffer, "192.0.2.1", 30000, 77, 3, true), "a=rtcp-mux"));
    String answerToPlain = SdpRewriter.rewrite(PHONE, "192.0.2.1", 30000, 77, 3, false);
    assertFalse(answerToPlain.contains("rtcp-mux"), "the far side's mux is never copied through");
    assertFalse(SdpRewriter.rewrite(muxedOffer, "192.0.2.1", 30000, 77, 3, false).contains("rtcp-mux"));
    // audio as the last stream: the attribute closes it
    String audioOnly = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assertTrue(SdpRewriter.rewrite(audioOnly, "127.0.0.1", 5000, 1, 1, true).endsWith("a=rtcp-mux\r\n"));
    assertTrue(SdpRewriter.audio(SdpRewriter.rewrite(audioOnly, "127.0.0.1", 5000, 1, 1, true)).rtcpMux(), "reads back");
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }
}

package dev.mileage.bench.calls;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's SDP: offers multiplex RTCP (RFC 5761) so that an anchoring gateway needs one socket per call. */
class RtpSourceTest {
  @Test
  void offersRtcpMuxAndAnswersItOnlyWhenOffered() {
    try (RtpSource media = new RtpSource()) {
      byte[] offer = media.sdp("1", true);
      String text = new String(offer, StandardCharsets.US_ASCII);
      assertTrue(text.endsWith("a=rtcp-mux\r\n"), "in the (only) audio stream");
      assertTrue(RtpSource.offersRtcpMux(offer));
      byte[] plain = media.sdp("1", false);
      assertFalse(RtpSource.offersRtcpMux(plain));
      assertFalse(RtpSource.offersRtcpMux(null));
      assertFalse(RtpSource.offersRtcpMux("v=0\r\ns=a=rtcp-mux\r\n".getBytes(StandardCharsets.US_ASCII)),
          "only as an attribute line");
      assertEquals(RtpSource.mediaAddress(offer), RtpSource.mediaAddress(plain), "the same media address either way");
    }
  }
}

package dev.mileage.gateway.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One message of RFC 4475, as the RFC prints it, with the outcome the RFC asks for. {@code %VIA%} in
 * the text is the sending socket (every top Via says UDP and points at it, because we send over UDP and
 * answers must come back to this test), {@code %CL%} the body's length in bytes. The RFC reuses branch
 * values across examples (21 share one); each gets the socket's port and the case's name appended so no two cases
 * share a transaction, even when the system hands a later case's socket an earlier one's port.
 *
 * @param expected the status code the gateway must answer with, or {@link #DROPPED}
 * @param valid    a well-formed message (RFC 4475 3.1.1 and the application-layer ones): its answer must
 *                 also echo Via branch, Call-ID, CSeq and From tag, and carry a To tag when final
 */
record TortureCase(String name, String section, int expected, boolean valid, String head, byte[] body) {
  /** No answer at all: dropped, as RFC 3261 says for responses nobody asked for and for unusable requests. */
  static final int DROPPED = 0;

  TortureCase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(body, "body");
  }

  static TortureCase valid(String name, String section, int expected, String head, String body) {
    return new TortureCase(name, section, expected, true, head, utf8(body));
  }

  static TortureCase invalid(String name, String section, int expected, String head, String body) {
    return new TortureCase(name, section, expected, false, head, utf8(body));
  }

  /** An SDP body as the RFC's INVITEs carry it. */
  static String sdp(String address) {
    return """
        v=0
        o=mhandley 29739 7272939 IN IP4 %s
        s=-
        c=IN IP4 %s
        t=0 0
        m=audio 49217 RTP/AVP 0 12
        m=video 3227 RTP/AVP 31
        a=rtpmap:31 LPC
        """.formatted(address, address);
  }

  static byte[] utf8(String text) {
    return text == null ? new byte[0] : text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The datagram for a socket at {@code via} ({@code 127.0.0.1:port}). */
  byte[] datagram(String via) {
    String port = via.substring(via.indexOf(':') + 1);
    String h = head.replaceAll("branch=([^;\\s,]+)", "branch=$1." + port + "." + name)
        .replace("%VIA%", via).replace("%CL%", Integer.toString(body.length)).replace("\n", "\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(h.getBytes(StandardCharsets.UTF_8));
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    // byte for byte (ISO-8859-1), so binary bodies survive; only a Via placeholder in a body is replaced
    out.writeBytes(new String(body, StandardCharsets.ISO_8859_1).replace("%VIA%", via).getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return section + " " + name;
  }
}

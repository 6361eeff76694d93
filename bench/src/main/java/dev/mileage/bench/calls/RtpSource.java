package dev.mileage.bench.calls;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The generator's media side: one loopback UDP socket every call's SDP offer points at (media relayed to it is
 * dropped by the kernel once the buffer is full), and sparse G.711 silence packets from it to the answered
 * address: the first right after the answer (an anchoring gateway latches our address), then one per
 * interval so media-inactivity timers see media. Full 50-packet/s streams for thousands of calls would be a
 * media benchmark, not a call benchmark.
 */
final class RtpSource implements AutoCloseable {
  static final int PAYLOAD_BYTES = 160; // 20 ms of PCMU
  private final DatagramSocket socket;
  private final LongAdder sent = new LongAdder();

  RtpSource() {
    try {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (SocketException e) {
      throw new IllegalStateException("cannot bind the RTP socket", e);
    }
  }

  int port() {
    return socket.getLocalPort();
  }

  long packetsSent() {
    return sent.sum();
  }

  /**
   * Our audio offer (or answer), with {@code a=rtcp-mux} when {@code rtcpMux} (RFC 5761: in every offer, and in an
   * answer to an offer that had it), as today's phones send it: an anchoring gateway then needs one socket per call.
   */
  byte[] sdp(String sessionId, boolean rtcpMux) {
    String sdp = "v=0\r\no=bench " + sessionId + " 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + port() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
        + (rtcpMux ? "a=rtcp-mux\r\n" : "");
    return sdp.getBytes(StandardCharsets.US_ASCII);
  }

  /** Whether an SDP body has {@code a=rtcp-mux} (RFC 5761); the generator's SDPs have one audio stream only. */
  static boolean offersRtcpMux(byte[] sdp) {
    return sdp != null && new String(sdp, StandardCharsets.US_ASCII).contains("\na=rtcp-mux");
  }

  /** One RTP packet (version 2, PCMU, mu-law silence); false when the socket refused it. */
  boolean send(InetSocketAddress to, int sequence, int ssrc) {
    byte[] packet = new byte[12 + PAYLOAD_BYTES];
    packet[0] = (byte) 0x80;
    packet[1] = 0;
    packet[2] = (byte) (sequence >>> 8);
    packet[3] = (byte) sequence;
    int timestamp = sequence * PAYLOAD_BYTES;
    for (int i = 0; i < 4; i++) packet[4 + i] = (byte) (timestamp >>> (24 - 8 * i));
    for (int i = 0; i < 4; i++) packet[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    Arrays.fill(packet, 12, packet.length, (byte) 0xFF);
    try {
      socket.send(new DatagramPacket(packet, packet.length, to));
      sent.increment();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The audio address of an SDP body, if it is on loopback (media is never sent anywhere else). */
  static InetSocketAddress mediaAddress(byte[] sdp) {
    if (sdp == null) return null;
    String host = null;
    int port = -1;
    for (String line : new String(sdp, StandardCharsets.US_ASCII).split("\\r?\\n")) {
      if (line.startsWith("c=IN IP4 ") && host == null) host = line.substring(9).trim();
      if (line.startsWith("m=audio ") && port < 0) {
        try {
          port = Integer.parseInt(line.substring(8).split(" ")[0]);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    if (host == null || port <= 0 || port > 65535 || !host.matches("[0-9.]+")) return null;
    try {
      InetAddress address = InetAddress.getByName(host); // an IPv4 literal: no name lookup
      return address.isLoopbackAddress() ? new InetSocketAddress(address, port) : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}

package dev.mileage.gateway.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bare UDP socket on loopback that sends hand-written SIP datagrams (what jain-sip would refuse to
 * build) and reads back whatever the gateway answers, parsed just enough to check it.
 */
final class RawSip implements AutoCloseable {
  private final DatagramSocket socket;
  private final InetSocketAddress gateway;

  /** A response as received: status, reason, headers by lower-case long name, in order. */
  record Reply(int code, String reason, Map<String, List<String>> headers, String text) {
    String first(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  RawSip(int gatewayPort) throws IOException {
    socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    gateway = new InetSocketAddress("127.0.0.1", gatewayPort);
  }

  /** A larger receive buffer (the kernel caps it at net.core.rmem_max), for a burst's answers. */
  void receiveBuffer(int bytes) throws IOException {
    socket.setReceiveBufferSize(bytes);
  }

  /** {@code 127.0.0.1:port}, for the Via of the messages this socket sends. */
  String via() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  void send(byte[] datagram) throws IOException {
    socket.send(new DatagramPacket(datagram, datagram.length, gateway));
  }

  void send(String text) throws IOException {
    send(text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Every response that arrives until {@code quietMs} pass without one (100 Trying included). */
  List<Reply> receive(int quietMs) throws IOException {
    List<Reply> out = new ArrayList<>();
    byte[] buf = new byte[65535];
    socket.setSoTimeout(quietMs);
    while (true) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return out;
      }
      Reply r = parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
      if (r != null) out.add(r);
    }
  }

  /** Responses until the first final one (or {@code waitMs} of silence); the final one last. */
  List<Reply> untilFinal(int waitMs) throws IOException {
    return until(r -> r.code() >= 200, waitMs);
  }

  /** Responses until one matches {@code last} (it included, last) or {@code waitMs} pass. */
  List<Reply> until(java.util.function.Predicate<Reply> last, int waitMs) throws IOException {
    List<Reply> out = new ArrayList<>();
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    byte[] buf = new byte[65535];
    while (true) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
      if (leftMs <= 0) return out;
      socket.setSoTimeout((int) leftMs);
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return out;
      }
      Reply r = parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
      if (r == null) continue;
      out.add(r);
      if (last.test(r)) return out;
    }
  }

  static Reply parse(String text) {
    if (!text.startsWith("SIP/2.0 ")) return null;
    int headEnd = text.indexOf("\r\n\r\n");
    String head = headEnd < 0 ? text : text.substring(0, headEnd);
    String[] lines = head.split("\r\n");
    String status = lines[0];
    int code;
    try {
      code = Integer.parseInt(status.substring(8, 11));
    } catch (RuntimeException e) {
      return null;
    }
    String reason = status.length() > 12 ? status.substring(12) : "";
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String name = null;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if ((line.startsWith(" ") || line.startsWith("\t")) && name != null) {
        List<String> v = headers.get(name);
        v.set(v.size() - 1, v.get(v.size() - 1) + " " + line.trim());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      name = longName(line.substring(0, colon).trim().toLowerCase(Locale.ROOT));
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
    }
    return new Reply(code, reason, headers, text);
  }

  private static String longName(String n) {
    return switch (n) {
      case "v" -> "via";
      case "f" -> "from";
      case "t" -> "to";
      case "i" -> "call-id";
      case "m" -> "contact";
      case "l" -> "content-length";
      case "c" -> "content-type";
      case "s" -> "subject";
      case "k" -> "supported";
      default -> n;
    };
  }

  @Override
  public void close() {
    socket.close();
  }
}

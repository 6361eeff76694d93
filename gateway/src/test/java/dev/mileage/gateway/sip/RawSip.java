package dev.mileage.gateway.sip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bare UDP socket (or one TCP connection, {@link #tcp}) on loopback that sends hand-written SIP messages (what
 * jain-sip would refuse to build) and reads back whatever the gateway answers, parsed just enough to check it.
 */
public final class RawSip implements AutoCloseable {
  private final DatagramSocket socket;
  private final Socket stream;
  private final InetSocketAddress gateway;
  /** TCP: bytes read but not yet cut into messages (RFC 3261 18.3: Content-Length frames them). */
  private final ByteArrayOutputStream unread = new ByteArrayOutputStream();

  /**
   * A response as received: status, reason, headers by lower-case long name, in order, and when it was read
   * ({@link System#nanoTime()}).
   */
  public record Reply(int code, String reason, Map<String, List<String>> headers, String text, long receivedNanos) {
    public String first(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    public List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  public RawSip(int gatewayPort) throws IOException {
    this(gatewayPort, false);
  }

  private RawSip(int gatewayPort, boolean tcp) throws IOException {
    gateway = new InetSocketAddress("127.0.0.1", gatewayPort);
    if (tcp) {
      socket = null;
      stream = new Socket();
      stream.bind(new InetSocketAddress("127.0.0.1", 0));
      stream.connect(gateway, 5_000);
    } else {
      socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      stream = null;
    }
  }

  /** One TCP connection to the gateway: requests go over it and responses come back on it (RFC 3261 18.2.2). */
  public static RawSip tcp(int gatewayPort) throws IOException {
    return new RawSip(gatewayPort, true);
  }

  /** The Via transport of the messages this socket sends: UDP or TCP. */
  public String transport() {
    return stream == null ? "UDP" : "TCP";
  }

  /** What a Contact of this socket needs after its host and port: nothing for UDP, ;transport=tcp for TCP. */
  public String contactParams() {
    return stream == null ? "" : ";transport=tcp";
  }

  /** A larger receive buffer (the kernel caps it at net.core.rmem_max), for a burst's answers. */
  void receiveBuffer(int bytes) throws IOException {
    if (stream != null) stream.setReceiveBufferSize(bytes);
    else socket.setReceiveBufferSize(bytes);
  }

  /** The gateway's SIP port this socket talks to. */
  public int gatewayPort() {
    return gateway.getPort();
  }

  /** {@code 127.0.0.1:port}, for the Via of the messages this socket sends. */
  public String via() {
    return "127.0.0.1:" + (stream != null ? stream.getLocalPort() : socket.getLocalPort());
  }

  public void send(byte[] message) throws IOException {
    if (stream != null) {
      stream.getOutputStream().write(message);
      stream.getOutputStream().flush();
    } else {
      socket.send(new DatagramPacket(message, message.length, gateway));
    }
  }

  public void send(String text) throws IOException {
    send(text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  private volatile boolean closedByPeer;

  /** Whether the gateway closed this TCP connection (a read ended), which a wait that came back empty cannot tell. */
  public boolean closedByPeer() {
    return closedByPeer;
  }

  /** Every response that arrives until {@code quietMs} pass without one (100 Trying included). */
  public List<Reply> receive(int quietMs) throws IOException {
    List<Reply> out = new ArrayList<>();
    while (true) {
      String message = next(quietMs);
      if (message == null) return out;
      Reply r = parse(message);
      if (r != null) out.add(r);
    }
  }

  /** Responses until the first final one (or {@code waitMs} of silence); the final one last. */
  public List<Reply> untilFinal(int waitMs) throws IOException {
    return until(r -> r.code() >= 200, waitMs);
  }

  /** Responses until one matches {@code last} (it included, last) or {@code waitMs} pass. */
  public List<Reply> until(java.util.function.Predicate<Reply> last, int waitMs) throws IOException {
    List<Reply> out = new ArrayList<>();
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    while (true) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
      if (leftMs <= 0) return out;
      String message = next((int) leftMs);
      if (message == null) return out;
      Reply r = parse(message);
      if (r == null) continue;
      out.add(r);
      if (last.test(r)) return out;
    }
  }

  /** The text of the first {@code method} request that arrives within {@code waitMs} (what comes before it is dropped), or null. */
  public String request(String method, int waitMs) throws IOException {
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    while (true) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
      if (leftMs <= 0) return null;
      String message = next((int) leftMs);
      if (message == null) return null;
      if (message.startsWith(method + " ")) return message;
    }
  }

  /** The next message received within {@code waitMs}, or null. */
  private String next(int waitMs) throws IOException {
    if (stream == null) {
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      socket.setSoTimeout(waitMs);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    InputStream in = stream.getInputStream();
    byte[] buf = new byte[8192];
    while (true) {
      String message = framed();
      if (message != null) return message;
      long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
      if (leftMs <= 0) return null;
      stream.setSoTimeout((int) leftMs);
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        return null;
      }
      if (n < 0) {
        closedByPeer = true;
        return null; // the gateway closed the connection
      }
      unread.write(buf, 0, n);
    }
  }

  /** The first whole message in {@link #unread} (keep-alive CRLFs skipped), taken out of it; null if none yet. */
  private String framed() {
    String text = unread.toString(StandardCharsets.ISO_8859_1);
    int start = 0;
    while (text.startsWith("\r\n", start)) start += 2;
    int headEnd = text.indexOf("\r\n\r\n", start);
    if (headEnd < 0) return null;
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^(?:content-length|l)\\s*:\\s*(\\d+)")
        .matcher(text.substring(start, headEnd));
    int end = headEnd + 4 + (m.find() ? Integer.parseInt(m.group(1)) : 0);
    if (text.length() < end) return null;
    byte[] all = unread.toByteArray();
    unread.reset();
    unread.write(all, end, all.length - end);
    return new String(all, start, end - start, StandardCharsets.UTF_8);
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
    return new Reply(code, reason, headers, text, System.nanoTime());
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
    if (stream != null) {
      try {
        stream.close();
      } catch (IOException e) {
        // closing anyway
      }
    } else {
      socket.close();
    }
  }
}

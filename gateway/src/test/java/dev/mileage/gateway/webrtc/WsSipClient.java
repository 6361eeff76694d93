package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.Digest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser's SIP user agent reduced to what the tests need: a WebSocket asking for the {@code sip}
 * subprotocol (RFC 7118, as JsSIP does), requests written as text frames with a {@code .invalid} Via
 * host like a browser's, digest answers (MD5, qop=auth) and every message received kept in a queue.
 */
final class WsSipClient implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();
  final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final HttpClient http;
  private final WebSocket ws;
  final String viaHost = hex(6) + ".invalid";
  /** Like JsSIP: the Via transport is the URL's scheme (WS for ws://, WSS for wss://). */
  private final String viaTransport;
  private int cseq = 1;

  WsSipClient(String url) throws Exception {
    this(url, null);
  }

  /** Over WSS, trusting what {@code ssl} trusts (null: the JDK's defaults). */
  WsSipClient(String url, javax.net.ssl.SSLContext ssl) throws Exception {
    http = ssl == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(ssl).build();
    viaTransport = url.startsWith("wss:") ? "WSS" : "WS";
    ws = http.newWebSocketBuilder().subprotocols("sip").buildAsync(URI.create(url), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          received.add(text.toString());
          text.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
  }

  static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  void send(String message) throws Exception {
    ws.sendText(message, true).get(5, TimeUnit.SECONDS);
  }

  /** The next message whose first line matches {@code startLine} (a regex), or null within the wait. */
  String await(String startLine, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    Pattern p = Pattern.compile(startLine);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      String m = received.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) return null;
      if (p.matcher(m.substring(0, m.indexOf("\r\n"))).find()) return m;
    }
  }

  /** A final response (status >= 200) to the INVITE, skipping provisional ones; null within the wait. */
  String awaitFinal(Duration wait) throws InterruptedException {
    return await("^SIP/2.0 [2-6][0-9][0-9]", wait);
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(8, 11));
  }

  static String header(String message, String name) {
    Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*)$").matcher(message);
    return m.find() ? m.group(1).trim() : null;
  }

  static String body(String message) {
    int i = message.indexOf("\r\n\r\n");
    return i < 0 ? "" : message.substring(i + 4);
  }

  /** An INVITE as JsSIP writes it; {@code authorization} may be null. */
  String invite(String number, String domain, String user, String callId, String fromTag, String branch,
                String sdp, String authorization) {
    String uri = "sip:" + number + "@" + domain;
    return "INVITE " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/" + viaTransport + " " + viaHost + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 69\r\n"
        + "To: <" + uri + ">\r\n"
        + "From: <sip:" + user + "@" + domain + ">;tag=" + fromTag + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: " + (cseq++) + " INVITE\r\n"
        + "Contact: <sip:" + hex(4) + "@" + viaHost + ";transport=ws;ob>\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
        + "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n"
        + "Supported: ice,replaces,outbound\r\n"
        + "User-Agent: test-ws-client\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + sdp.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp;
  }

  /**
   * A REGISTER as JsSIP writes it, binding {@code contact} for 600 s; with {@code contact} null a query of the
   * bindings (RFC 3261 10.2.3). {@code authorization} may be null.
   */
  String register(String domain, String user, String callId, String contact, String authorization) {
    String aor = "sip:" + user + "@" + domain;
    return "REGISTER sip:" + domain + " SIP/2.0\r\n"
        + "Via: SIP/2.0/" + viaTransport + " " + viaHost + ";branch=z9hG4bK" + hex(6) + "\r\n"
        + "Max-Forwards: 69\r\n"
        + "To: <" + aor + ">\r\n"
        + "From: <" + aor + ">;tag=" + hex(4) + "\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: " + (cseq++) + " REGISTER\r\n"
        + (contact == null ? "" : "Contact: <" + contact + ">;expires=600\r\n")
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
        + "Content-Length: 0\r\n\r\n";
  }

  /** The Authorization answering the MD5 challenge of a 401 to an INVITE. */
  static String authorization(String response401, String user, String password, String uri) {
    return authorization(response401, user, password, uri, "INVITE");
  }

  /** The Authorization answering the MD5 challenge of a 401 to a {@code method} request. */
  static String authorization(String response401, String user, String password, String uri, String method) {
    String challenge = null;
    Matcher all = Pattern.compile("(?im)^WWW-Authenticate:\\s*(.*)$").matcher(response401);
    while (all.find()) {
      String c = all.group(1);
      if (!c.contains("SHA-256")) challenge = c;
    }
    if (challenge == null) throw new AssertionError("no MD5 challenge in " + response401);
    String realm = param(challenge, "realm");
    String nonce = param(challenge, "nonce");
    String cnonce = hex(8);
    String ha1 = Digest.ha1("MD5", user, realm, password);
    String response = Digest.response("MD5", ha1, nonce, "00000001", cnonce, "auth", method, uri);
    return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
        + "\", algorithm=MD5, response=\"" + response + "\", qop=auth, cnonce=\"" + cnonce + "\", nc=00000001";
  }

  private static String param(String challenge, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(challenge);
    if (!m.find()) throw new AssertionError("no " + name + " in " + challenge);
    return m.group(1);
  }

  /** The ACK for a 2xx (a new transaction inside the dialog). */
  String ack(String ok, String number, String domain) {
    String uri = "sip:" + number + "@" + domain;
    return "ACK " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/" + viaTransport + " " + viaHost + ";branch=z9hG4bK" + hex(6) + "\r\n"
        + "Max-Forwards: 69\r\n"
        + "To: " + header(ok, "To") + "\r\n"
        + "From: " + header(ok, "From") + "\r\n"
        + "Call-ID: " + header(ok, "Call-ID") + "\r\n"
        + "CSeq: " + header(ok, "CSeq").split(" ")[0] + " ACK\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** A re-INVITE inside the dialog of {@code ok} (the 200 of our INVITE) offering {@code sdp}. */
  String reinvite(String ok, String number, String domain, String sdp) {
    String uri = "sip:" + number + "@" + domain;
    return "INVITE " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/" + viaTransport + " " + viaHost + ";branch=z9hG4bK" + hex(6) + "\r\n"
        + "Max-Forwards: 69\r\n"
        + "To: " + header(ok, "To") + "\r\n"
        + "From: " + header(ok, "From") + "\r\n"
        + "Call-ID: " + header(ok, "Call-ID") + "\r\n"
        + "CSeq: " + (cseq++) + " INVITE\r\n"
        + "Contact: <sip:" + hex(4) + "@" + viaHost + ";transport=ws;ob>\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + sdp.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp;
  }

  /** A request without a body inside the dialog of {@code ok} (the 200 of our INVITE), with {@code extra} header lines. */
  String inDialog(String method, String ok, String number, String domain, String... extra) {
    String uri = "sip:" + number + "@" + domain;
    StringBuilder s = new StringBuilder(method + " " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/" + viaTransport + " " + viaHost + ";branch=z9hG4bK" + hex(6) + "\r\n"
        + "Max-Forwards: 69\r\n"
        + "To: " + header(ok, "To") + "\r\n"
        + "From: " + header(ok, "From") + "\r\n"
        + "Call-ID: " + header(ok, "Call-ID") + "\r\n"
        + "CSeq: " + (cseq++) + " " + method + "\r\n");
    for (String h : extra) s.append(h).append("\r\n");
    return s.append("Content-Length: 0\r\n\r\n").toString();
  }

  /** The 200 answering a request the gateway sent us (e.g. its BYE). */
  static String ok(String request) {
    StringBuilder s = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (String h : new String[] {"Via", "To", "From", "Call-ID", "CSeq"}) s.append(h).append(": ").append(header(request, h)).append("\r\n");
    return s.append("Content-Length: 0\r\n\r\n").toString();
  }

  /** A WebSocket close frame (1000), as a page closing its socket sends; the TCP close is the server's to do. */
  void closeGracefully() throws Exception {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
  }

  /** Drops the connection at once: no close frame, no BYE (a killed tab, a cut network). */
  @Override
  public void close() {
    ws.abort();
  }
}

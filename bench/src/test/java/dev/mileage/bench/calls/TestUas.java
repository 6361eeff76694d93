package dev.mileage.bench.calls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A minimal digest-authenticating UAS for testing the generator over loopback: challenges every first INVITE,
 * checks the credentials with its own hashing, answers numbers starting with 486 with Busy Here and everything
 * else with 200 + SDP; answers BYE. Independent of the generator's {@link Digest} so it can catch its bugs.
 */
final class TestUas implements SipListener, AutoCloseable {
  static final String REALM = "bench.test";

  private final SipStack stack;
  private final SipProvider provider;
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final int port;
  private final String algorithm;
  private final Map<String, String> passwords;
  private final Map<String, String> nonces = new ConcurrentHashMap<>();
  final AtomicInteger invites = new AtomicInteger();
  final AtomicInteger authorized = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger byes = new AtomicInteger();
  final AtomicInteger acks = new AtomicInteger();
  final AtomicInteger cancels = new AtomicInteger();
  final java.util.Set<String> inviteSources = ConcurrentHashMap.newKeySet();
  private final java.net.DatagramSocket rtp;

  /** @param algorithm {@code MD5} or {@code SHA-256} */
  TestUas(String algorithm, Map<String, String> passwords) throws Exception {
    this.algorithm = algorithm;
    this.passwords = Map.copyOf(passwords);
    stack = SipStacks.create("test-uas", 2, false); // no dialog layer: every ACK reaches the listener
    SipFactory factory = SipFactory.getInstance();
    messages = factory.createMessageFactory();
    headers = factory.createHeaderFactory();
    port = Ports.freeUdpAndTcp();
    rtp = new java.net.DatagramSocket(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
    rtp.setSoTimeout(200);
    ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
    ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
    provider = stack.createSipProvider(udp);
    provider.addListeningPoint(tcp);
    provider.addSipListener(this);
    stack.start();
  }

  int port() {
    return port;
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    try {
      if (request.getMethod().equals(Request.ACK)) {
        acks.incrementAndGet();
        return;
      }
      ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
          : provider.getNewServerTransaction(request);
      switch (request.getMethod()) {
        case Request.INVITE -> invite(tx, request);
        case Request.BYE -> {
          byes.incrementAndGet();
          tx.sendResponse(messages.createResponse(Response.OK, request));
        }
        case Request.CANCEL -> {
          cancels.incrementAndGet();
          tx.sendResponse(messages.createResponse(Response.OK, request));
        }
        default -> tx.sendResponse(messages.createResponse(Response.NOT_IMPLEMENTED, request));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** RTP packets that arrived at the SDP answer's port, read until the socket stays quiet (bounded). */
  int rtpPacketsReceived() throws Exception {
    int count = 0;
    byte[] buffer = new byte[2048];
    for (int i = 0; i < 100_000; i++) {
      try {
        rtp.receive(new java.net.DatagramPacket(buffer, buffer.length));
        if ((buffer[0] & 0xC0) == 0x80) count++;
      } catch (java.net.SocketTimeoutException quiet) {
        break;
      }
    }
    return count;
  }

  private void invite(ServerTransaction tx, Request request) throws Exception {
    invites.incrementAndGet();
    if (request instanceof gov.nist.javax.sip.message.SIPRequest sip && sip.getRemoteAddress() != null) {
      inviteSources.add(sip.getRemoteAddress().getHostAddress());
    }
    AuthorizationHeader auth = (AuthorizationHeader) request.getHeader(AuthorizationHeader.NAME);
    if (auth == null) {
      String nonce = UUID.randomUUID().toString();
      nonces.put(nonce, "");
      Response challenge = messages.createResponse(Response.UNAUTHORIZED, request);
      challenge.addHeader(headers.createHeader("WWW-Authenticate", "Digest realm=\"" + REALM + "\", nonce=\""
          + nonce + "\", algorithm=" + algorithm + ", qop=\"auth\", opaque=\"op4que\""));
      tx.sendResponse(challenge);
      return;
    }
    String password = passwords.get(auth.getUsername());
    boolean nonceFresh = auth.getNonce() != null && nonces.remove(auth.getNonce()) != null;
    String expected = password == null ? "" : expectedResponse(auth, password);
    if (!nonceFresh || !expected.equals(auth.getResponse()) || !"op4que".equals(auth.getOpaque())
        || !algorithm.equalsIgnoreCase(auth.getAlgorithm())) {
      refused.incrementAndGet();
      tx.sendResponse(messages.createResponse(Response.FORBIDDEN, request));
      return;
    }
    authorized.incrementAndGet();
    String user = ((SipURI) request.getRequestURI()).getUser();
    if (user.startsWith("180")) { // rings for ever: the caller's setup timeout must CANCEL it
      Response ringing = messages.createResponse(Response.RINGING, request);
      ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag("ring" + invites.get());
      tx.sendResponse(ringing);
      return;
    }
    if (user.startsWith("486")) {
      tx.sendResponse(messages.createResponse(Response.BUSY_HERE, request));
      return;
    }
    Response ok = messages.createResponse(Response.OK, request);
    ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(Long.toHexString(System.nanoTime()));
    SipURI contact = SipFactory.getInstance().createAddressFactory().createSipURI("uas", "127.0.0.1");
    contact.setPort(port);
    ok.addHeader(headers.createContactHeader(SipFactory.getInstance().createAddressFactory().createAddress(contact)));
    ok.setContent("v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + rtp.getLocalPort() + " RTP/AVP 0\r\n", headers.createContentTypeHeader("application", "sdp"));
    tx.sendResponse(ok);
  }

  private String expectedResponse(AuthorizationHeader auth, String password) throws Exception {
    String jca = algorithm.equals("SHA-256") ? "SHA-256" : "MD5";
    String ha1 = hex(jca, auth.getUsername() + ":" + REALM + ":" + password);
    String ha2 = hex(jca, "INVITE:" + auth.getURI());
    return hex(jca, ha1 + ":" + auth.getNonce() + ":" + auth.getParameter("nc") + ":" + auth.getCNonce() + ":auth:"
        + ha2);
  }

  private static String hex(String jca, String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override public void processResponse(ResponseEvent event) {}
  @Override public void processTimeout(TimeoutEvent event) {}
  @Override public void processIOException(IOExceptionEvent event) {}
  @Override public void processTransactionTerminated(TransactionTerminatedEvent event) {}
  @Override public void processDialogTerminated(DialogTerminatedEvent event) {}

  @Override
  public void close() {
    dev.mileage.fixtures.sip.SipStacks.stop(stack);
    rtp.close();
  }
}

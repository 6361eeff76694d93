package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.sip.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipStack;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jain-sip's WS transport with {@link WebSocketFlows}, spoken to over a raw socket so each way a WebSocket ends
 * is exact: a close frame is answered and the server then closes TCP itself (RFC 6455 7.1.1; jain-sip alone
 * leaves it open), a reset or a FIN is noticed, and each reports the connection's {@link Flow} once, the same
 * key the B2BUA makes from a request that came over it.
 */
class WebSocketFlowsTest {
  static final int WAIT_MS = 5_000;
  final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
  SipStack stack;
  WebSocketFlows flows;
  int port;

  @BeforeEach
  void start() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "ws-flows-test-" + System.nanoTime());
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", dev.mileage.fixtures.sip.SipStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", dev.mileage.fixtures.sip.SipServerLogger.class.getName());
    flows = new WebSocketFlows(closed::add);
    flows.install(p);
    SipFactory f = SipFactory.getInstance();
    f.setPathName("gov.nist");
    stack = f.createSipStack(p);
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ListeningPoint ws = stack.createListeningPoint("127.0.0.1", port, "WS");
    stack.createSipProvider(ws);
    flows.uninstall();
    stack.start();
  }

  @AfterEach
  void stop() {
    if (stack != null) dev.mileage.fixtures.sip.SipStacks.stop(stack);
  }

  @Test
  void aCloseFrameIsAnsweredTheServerClosesTheConnectionAndTheFlowIsReportedOnce() throws Exception {
    try (Socket s = upgraded()) {
      String flow = Flow.key(port, InetAddress.getLoopbackAddress(), s.getLocalPort());
      assertTrue(flows.isOpen(flow), "open while the WebSocket is");
      assertNull(closed.poll(200, TimeUnit.MILLISECONDS), "nothing reported while it is open");
      // a masked close frame with no payload, as a browser sends it
      s.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x80, 1, 2, 3, 4});
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      assertEquals(0x88, in.read(), "the close frame is answered");
      assertEquals(0x00, in.read());
      assertEquals(-1, in.read(), "then the server closes the TCP connection (we never do here)");
      assertEquals(flow, closed.poll(WAIT_MS, TimeUnit.MILLISECONDS));
      assertFalse(flows.isOpen(flow));
      assertNull(closed.poll(200, TimeUnit.MILLISECONDS), "reported once");
    }
  }

  @Test
  void aResetAndAFinEndTheirOwnFlowOnly() throws Exception {
    Socket reset = upgraded();
    try (Socket fin = upgraded(); Socket stays = upgraded()) {
      String resetFlow = Flow.key(port, InetAddress.getLoopbackAddress(), reset.getLocalPort());
      String finFlow = Flow.key(port, InetAddress.getLoopbackAddress(), fin.getLocalPort());
      String staysFlow = Flow.key(port, InetAddress.getLoopbackAddress(), stays.getLocalPort());
      assertEquals(3, flows.openCount());
      reset.setSoLinger(true, 0);
      reset.close(); // RST
      assertEquals(resetFlow, closed.poll(WAIT_MS, TimeUnit.MILLISECONDS));
      fin.shutdownOutput(); // FIN, the socket itself still open
      assertEquals(finFlow, closed.poll(WAIT_MS, TimeUnit.MILLISECONDS));
      assertTrue(flows.isOpen(staysFlow), "another connection is untouched");
      assertEquals(1, flows.openCount());
      assertNull(closed.poll(200, TimeUnit.MILLISECONDS));
    }
  }

  /** A TCP connection upgraded to a WebSocket with the sip subprotocol (RFC 7118 4). */
  Socket upgraded() throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), WAIT_MS);
    s.setSoTimeout(WAIT_MS);
    OutputStream out = s.getOutputStream();
    out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: sip\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    try {
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n") && head.size() < 4096) {
        int b = in.read();
        if (b < 0) break;
        head.write(b);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no upgrade answer: " + head.toString(StandardCharsets.US_ASCII), e);
    }
    String answer = head.toString(StandardCharsets.US_ASCII);
    assertTrue(answer.startsWith("HTTP/1.1 101"), answer);
    // the channel exists once the upgrade is answered; its flow is open from then on
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    String flow = Flow.key(port, InetAddress.getLoopbackAddress(), s.getLocalPort());
    while (!flows.isOpen(flow) && System.nanoTime() < deadline) Thread.sleep(10); // bounded
    return s;
  }
}

package dev.mileage.gateway.webrtc;

import org.junit.jupiter.api.Test;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.message.MessageFactory;
import javax.sip.message.Response;
import java.net.ServerSocket;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jain-sip-ri's WS transport as the gateway adds it: a WebSocket client asking for the {@code sip}
 * subprotocol (as JsSIP does) gets it, and a SIP request sent in a text frame reaches the provider's
 * listener, whose response comes back on the same WebSocket.
 */
class SipWebSocketTest {
  @Test
  void aBrowserStyleWebSocketClientTalksSipToTheStack() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "ws-test-" + System.nanoTime());
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", dev.mileage.fixtures.sip.SipStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", dev.mileage.fixtures.sip.SipServerLogger.class.getName());
    SipWebSocket.configure(p);
    SipFactory f = SipFactory.getInstance();
    f.setPathName("gov.nist");
    SipStack stack = f.createSipStack(p);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    MessageFactory messages = f.createMessageFactory();
    ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
    SipProvider provider = stack.createSipProvider(udp);
    SipWebSocket.listen(stack, provider, "127.0.0.1", port);
    CompletableFuture<String> transportSeen = new CompletableFuture<>();
    provider.addSipListener(new SipListener() {
      @Override
      public void processRequest(RequestEvent e) {
        try {
          transportSeen.complete(((javax.sip.header.ViaHeader) e.getRequest().getHeader("Via")).getTransport());
          Response r = messages.createResponse(Response.OK, e.getRequest());
          provider.getNewServerTransaction(e.getRequest()).sendResponse(r);
        } catch (Exception ex) {
          transportSeen.completeExceptionally(ex);
        }
      }

      @Override public void processResponse(ResponseEvent e) { }
      @Override public void processTimeout(TimeoutEvent e) { }
      @Override public void processIOException(IOExceptionEvent e) { }
      @Override public void processTransactionTerminated(TransactionTerminatedEvent e) { }
      @Override public void processDialogTerminated(DialogTerminatedEvent e) { }
    });
    stack.start();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    try {
      CompletableFuture<String> reply = new CompletableFuture<>();
      java.net.http.WebSocket ws = http.newWebSocketBuilder().subprotocols("sip")
          .header("Origin", "http://127.0.0.1")
          .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + "/"), new java.net.http.WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
              text.append(data);
              if (last) reply.complete(text.toString());
              w.request(1);
              return null;
            }
          }).get(10, TimeUnit.SECONDS);
      assertEquals("sip", ws.getSubprotocol(), "RFC 7118: the server must agree on the sip subprotocol");
      String options = "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
          + "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK" + System.nanoTime() + ";rport\r\n"
          + "Max-Forwards: 70\r\nTo: <sip:gw@127.0.0.1>\r\nFrom: <sip:web@invalid>;tag=abc\r\n"
          + "Call-ID: ws-" + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
      ws.sendText(options, true).get(5, TimeUnit.SECONDS);
      String response = reply.get(10, TimeUnit.SECONDS);
      assertTrue(response.startsWith("SIP/2.0 200"), response);
      assertEquals("WS", transportSeen.get(5, TimeUnit.SECONDS).toUpperCase());
      ws.abort();
    } finally {
      dev.mileage.fixtures.sip.SipStacks.stop(stack);
    }
  }
}

package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SipIntake} reads three queues inside jain-sip (UDP's by reflection, the blocking stream transports'
 * post-parsing pool's, and the NIO transports' executor, which the gateway's stack makes its own): this fails on a
 * jain-sip that no longer has them or no longer parses there (overload control would silently lose one of its
 * signals), and checks the age each reports on a real stack whose delivering threads are all held up.
 */
class SipIntakeTest {
  @Test
  void theUdpQueueIsFoundAndItsOldestDatagramsAgeIsReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    SipListener blocking = blocking(release, inListener);
    SipEndpoint sip = SipEndpoint.start("127.0.0.1", 0, SipOptions.MESSAGE_BYTES_MAX, blocking);
    try (DatagramSocket phone = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      SipIntake intake = SipIntake.of(sip);
      assertTrue(intake.measured(), "jain-sip's UDP queue (UDPMessageProcessor.messageQueue) was not found");
      assertEquals(0, intake.getAsLong(), "nothing waits on an idle stack");
      // more requests than parsing threads, each held in the listener: the rest wait in the queue
      int sent = 40;
      for (int i = 0; i < sent; i++) {
        byte[] b = options(phone.getLocalPort(), i).getBytes(StandardCharsets.UTF_8);
        phone.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", sip.port)));
      }
      assertTrue(inListener.await(10, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.waiting() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertTrue(intake.waiting() > 0, "datagrams wait behind busy parsing threads");
      Thread.sleep(300);
      assertTrue(intake.getAsLong() >= TimeUnit.MILLISECONDS.toNanos(250), "age " + intake.getAsLong());
      release.countDown();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.waiting() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(0, intake.getAsLong(), "drained");
    } finally {
      release.countDown();
      sip.stop();
    }
  }

  @Test
  void theBlockingStreamTransportsQueueIsFoundAndItsOldestMessagesAgeIsReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    SipEndpoint sip = SipEndpoint.start("127.0.0.1", 0, SipOptions.MESSAGE_BYTES_MAX, blocking(release, inListener));
    try {
      streamBacklogIsSeen(sip, release, inListener);
    } finally {
      release.countDown();
      sip.stop();
    }
  }

  /**
   * With browsers (the gateway's usual set-up) TCP runs on jain-sip's NIO transports, which parse on the executor
   * the stack hands out, not on the post-parsing pool: the gateway's stack hands out its own, which another stack's
   * stop does not shut down (jain-sip's is one per JVM and every stop shuts it), and whose backlog is seen.
   */
  @Test
  void theNioStreamTransportsBacklogIsSeenAndAnotherStacksStopLeavesItsExecutor() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    SipEndpoint sip = SipEndpoint.start("127.0.0.1", 0, SipOptions.MESSAGE_BYTES_MAX, blocking(release, inListener),
        new NioOnly(), flow -> { });
    try {
      var executor = ((GatewaySipStack) sip.stack).getSelfRoutingThreadpoolExecutor();
      assertTrue(executor instanceof StreamDispatch, "the stack's own executor: " + executor);
      dev.mileage.fixtures.sip.SipStacks.start("bystander", "127.0.0.1", 0, blocking(release, new CountDownLatch(1)),
          null).stop();
      assertFalse(executor.isShutdown(), "another stack's stop shuts jain-sip's executor, not this one");
      streamBacklogIsSeen(sip, release, inListener);
      java.util.Queue<?> blockingPool = gov.nist.javax.sip.parser.PostParseExecutorServices.staticQueue;
      assertTrue(blockingPool == null || blockingPool.isEmpty(), "nothing waited in the blocking transports' pool");
    } finally {
      release.countDown();
      sip.stop();
    }
  }

  /** Sends more TCP requests than there are threads to deliver them, all held: the rest wait, and are seen. */
  static void streamBacklogIsSeen(SipEndpoint sip, CountDownLatch release, CountDownLatch inListener) throws Exception {
    try (Socket phone = new Socket()) {
      phone.connect(new InetSocketAddress("127.0.0.1", sip.port), 5_000);
      SipIntake intake = SipIntake.of(sip);
      assertTrue(intake.streamMeasured(), "a stream transports' queue was not found");
      assertEquals(0, intake.getAsLong(), "nothing waits on an idle stack");
      OutputStream out = phone.getOutputStream();
      int sent = 40;
      for (int i = 0; i < sent; i++) {
        out.write(options("TCP", phone.getLocalPort(), i).getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      assertTrue(inListener.await(10, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.streamWaiting() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertTrue(intake.streamWaiting() > 0, "messages wait behind busy parsing threads");
      assertEquals(0, intake.waiting(), "nothing came over UDP");
      Thread.sleep(300);
      assertTrue(intake.getAsLong() >= TimeUnit.MILLISECONDS.toNanos(250), "age " + intake.getAsLong());
      release.countDown();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.streamWaiting() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(0, intake.streamWaiting(), "drained");
      assertEquals(0, intake.getAsLong(), "drained");
    }
  }

  /** Browser calls reduced to what makes the stack's TCP run on jain-sip's NIO transports. */
  static final class NioOnly implements BrowserCalls {
    @Override public void configure(dev.mileage.gateway.GatewayConfig config, java.time.Clock clock, io.vertx.core.Vertx vertx) { }
    @Override public void configureStack(java.util.Properties p, java.util.function.Consumer<String> flowClosed) {
      p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", dev.mileage.gateway.webrtc.SipWebSocket.NIO_FACTORY);
    }
    @Override public boolean flowOpen(String flow) { return false; }
    @Override public void listen(javax.sip.SipStack stack, javax.sip.SipProvider provider, String host) { }
    @Override public boolean isBrowserTransport(String transport) { return false; }
    @Override public String refusal(String offerSdp) { return "no browsers here"; }
    @Override public io.vertx.core.Future<Leg> open(io.vertx.core.Vertx vertx, dev.mileage.gateway.media.PortPool ports,
        dev.mileage.gateway.media.MediaCounters counters,
                                                    String host, String offerSdp) {
      return io.vertx.core.Future.failedFuture("no browsers here");
    }
    @Override public java.util.List<String> banner() { return java.util.List.of(); }
  }

  /** A listener that holds every thread that delivers a request until {@code release}. */
  static SipListener blocking(CountDownLatch release, CountDownLatch inListener) {
    return new SipListener() {
      @Override public void processRequest(RequestEvent e) {
        inListener.countDown();
        try {
          release.await(10, TimeUnit.SECONDS); // holds this thread, as a saturated machine would
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      @Override public void processResponse(ResponseEvent e) { }
      @Override public void processTimeout(TimeoutEvent e) { }
      @Override public void processIOException(IOExceptionEvent e) { }
      @Override public void processTransactionTerminated(TransactionTerminatedEvent e) { }
      @Override public void processDialogTerminated(DialogTerminatedEvent e) { }
    };
  }

  static String options(int port, int i) {
    return options("UDP", port, i);
  }

  static String options(String transport, int port, int i) {
    return ("OPTIONS sip:127.0.0.1 SIP/2.0\n"
        + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + port + ";branch=z9hG4bK-intake-" + transport + i + "\n"
        + "From: <sip:probe@127.0.0.1>;tag=t" + i + "\n"
        + "To: <sip:127.0.0.1>\n"
        + "Call-ID: intake-" + transport + i + "\n"
        + "CSeq: 1 OPTIONS\n"
        + "Max-Forwards: 70\n"
        + "Content-Length: 0\n\n").replace("\n", "\r\n");
  }
}

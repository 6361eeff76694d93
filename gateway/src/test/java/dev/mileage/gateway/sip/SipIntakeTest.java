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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SipIntake} reads two queues inside jain-sip (UDP's by reflection, the stream transports' post-parsing
 * pool's): this fails on a jain-sip that no longer has them (overload control would silently lose one of its
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
      SipIntake intake = SipIntake.of(sip.provider.getListeningPoint(ListeningPoint.UDP));
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
  void theStreamTransportsQueueIsFoundAndItsOldestMessagesAgeIsReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    SipEndpoint sip = SipEndpoint.start("127.0.0.1", 0, SipOptions.MESSAGE_BYTES_MAX, blocking(release, inListener));
    try (Socket phone = new Socket()) {
      phone.connect(new InetSocketAddress("127.0.0.1", sip.port), 5_000);
      SipIntake intake = SipIntake.of(sip.provider.getListeningPoint(ListeningPoint.UDP));
      assertTrue(intake.streamMeasured(), "jain-sip's post-parsing queue (PostParseExecutorServices.staticQueue) was not found");
      assertEquals(0, intake.getAsLong(), "nothing waits on an idle stack");
      // more requests than post-parsing threads, each held in the listener: the rest wait in the queue
      OutputStream out = phone.getOutputStream();
      int sent = 40;
      for (int i = 0; i < sent; i++) {
        out.write(options("TCP", phone.getLocalPort(), i).getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
      assertTrue(inListener.await(10, TimeUnit.SECONDS));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.streamWaiting() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertTrue(intake.streamWaiting() > 0, "messages wait behind busy post-parsing threads");
      assertEquals(0, intake.waiting(), "nothing came over UDP");
      Thread.sleep(300);
      assertTrue(intake.getAsLong() >= TimeUnit.MILLISECONDS.toNanos(250), "age " + intake.getAsLong());
      release.countDown();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (intake.streamWaiting() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(0, intake.getAsLong(), "drained");
    } finally {
      release.countDown();
      sip.stop();
    }
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

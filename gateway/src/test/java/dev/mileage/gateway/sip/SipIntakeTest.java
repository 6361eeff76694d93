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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SipIntake} reads a protected queue of jain-sip by reflection: this fails on a jain-sip that no longer
 * has it (overload control would silently lose one of its signals), and checks the age it reports on a real
 * stack whose parsing threads are all held up.
 */
class SipIntakeTest {
  @Test
  void theUdpQueueIsFoundAndItsOldestDatagramsAgeIsReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inListener = new CountDownLatch(1);
    SipListener blocking = new SipListener() {
      @Override public void processRequest(RequestEvent e) {
        inListener.countDown();
        try {
          release.await(10, TimeUnit.SECONDS); // holds this parsing thread, as a saturated machine would
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

  static String options(int port, int i) {
    return ("OPTIONS sip:127.0.0.1 SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-intake-" + i + "\n"
        + "From: <sip:probe@127.0.0.1>;tag=t" + i + "\n"
        + "To: <sip:127.0.0.1>\n"
        + "Call-ID: intake-" + i + "\n"
        + "CSeq: 1 OPTIONS\n"
        + "Max-Forwards: 70\n"
        + "Content-Length: 0\n\n").replace("\n", "\r\n");
  }
}

package dev.mileage.gateway.sip;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

import javax.sip.ListeningPoint;
import java.lang.reflect.Field;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongSupplier;

/**
 * How long the oldest UDP datagram has been waiting inside jain-sip, between its reader thread and the
 * threads that parse it: the part of the gateway's queueing that {@link OverloadGate} cannot see from the
 * listener. On a saturated machine this is where the backlog builds (the reader only copies datagrams; parsing
 * is the expensive part), and an INVITE that waited there for seconds has long been retransmitted by its
 * caller.
 *
 * <p>jain-sip keeps that queue in a protected field of {@link UDPMessageProcessor} and stamps each entry with
 * its reception time ({@link DatagramQueuedMessageDispatch#getReceptionTime}, wall-clock milliseconds); the
 * field is read once, by reflection. If a jain-sip version no longer has it, {@link #of} answers an intake
 * that always says 0 and {@link #measured} says false ({@code SipIntakeTest} fails on such an upgrade).
 */
final class SipIntake implements LongSupplier {
  private final BlockingQueue<?> queue;

  private SipIntake(BlockingQueue<?> queue) {
    this.queue = queue;
  }

  /** The intake of {@code udp}'s listening point (a jain-sip one). */
  static SipIntake of(ListeningPoint udp) {
    try {
      if (udp instanceof ListeningPointImpl impl && impl.getMessageProcessor() instanceof UDPMessageProcessor p) {
        Field f = UDPMessageProcessor.class.getDeclaredField("messageQueue");
        f.setAccessible(true);
        if (f.get(p) instanceof BlockingQueue<?> q) return new SipIntake(q);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // an unexpected jain-sip: unmeasured, as below
    }
    return new SipIntake(null);
  }

  /** Whether the queue could be found (false: {@link #getAsLong} is always 0). */
  boolean measured() {
    return queue != null;
  }

  /** Datagrams waiting now. */
  int waiting() {
    return queue == null ? 0 : queue.size();
  }

  /** Age of the oldest datagram waiting, in nanoseconds (0 when none waits). */
  @Override
  public long getAsLong() {
    if (queue == null) return 0;
    Object head = queue.peek();
    if (!(head instanceof DatagramQueuedMessageDispatch d)) return 0;
    return Math.max(0, System.currentTimeMillis() - d.getReceptionTime()) * 1_000_000L;
  }
}

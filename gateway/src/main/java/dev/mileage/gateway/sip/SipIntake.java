package dev.mileage.gateway.sip;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.parser.PostParseExecutorServices;
import gov.nist.javax.sip.stack.QueuedMessageDispatchBase;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

import javax.sip.ListeningPoint;
import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How long the oldest message has been waiting inside jain-sip, between the thread that read it and the
 * threads that parse and dispatch it: the part of the gateway's queueing that {@link OverloadGate} cannot see
 * from the listener. On a saturated machine this is where the backlog builds (the readers only copy bytes;
 * parsing is the expensive part), and an INVITE that waited there for seconds has long been retransmitted by
 * its caller (over UDP) or given up on (over TCP and WebSocket, where nothing is retransmitted but Timer B
 * still runs out).
 *
 * <p>jain-sip has two such queues, and each entry carries its reception time
 * ({@link QueuedMessageDispatchBase#getReceptionTime}, wall-clock milliseconds):
 * <ul>
 *   <li>UDP: a protected field of {@link UDPMessageProcessor}, read once by reflection;</li>
 *   <li>TCP, TLS, WS and WSS (the NIO transports): the queue of the post-parsing pool
 *       ({@code TCP_POST_PARSING_THREAD_POOL_SIZE}), {@link PostParseExecutorServices#staticQueue}, public and
 *       shared by every stack in the JVM. The NIO selector thread only splits the stream into messages; the
 *       parse and the dispatch to the listener run from this queue.</li>
 * </ul>
 * If a jain-sip version no longer has one of them, that half reports 0 and {@link #measured} or
 * {@link #streamMeasured} says false ({@code SipIntakeTest} fails on such an upgrade).
 */
final class SipIntake implements LongSupplier {
  private final BlockingQueue<?> datagrams;
  /** Read at every look: jain-sip creates the pool (and its queue) with the first NIO stack. */
  private final Supplier<Queue<?>> streams;

  private SipIntake(BlockingQueue<?> datagrams, Supplier<Queue<?>> streams) {
    this.datagrams = datagrams;
    this.streams = streams;
  }

  /** The intake of {@code udp}'s listening point (a jain-sip one) and of the stream transports' pool. */
  static SipIntake of(ListeningPoint udp) {
    return new SipIntake(datagramQueue(udp), () -> PostParseExecutorServices.staticQueue);
  }

  private static BlockingQueue<?> datagramQueue(ListeningPoint udp) {
    try {
      if (udp instanceof ListeningPointImpl impl && impl.getMessageProcessor() instanceof UDPMessageProcessor p) {
        Field f = UDPMessageProcessor.class.getDeclaredField("messageQueue");
        f.setAccessible(true);
        if (f.get(p) instanceof BlockingQueue<?> q) return q;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // an unexpected jain-sip: unmeasured, as below
    }
    return null;
  }

  /** Whether the UDP queue could be found (false: datagrams count as never waiting). */
  boolean measured() {
    return datagrams != null;
  }

  /** Whether the stream transports' queue exists (false when no post-parsing pool was configured). */
  boolean streamMeasured() {
    return streams.get() != null;
  }

  /** Datagrams waiting now. */
  int waiting() {
    return datagrams == null ? 0 : datagrams.size();
  }

  /** Messages from TCP, TLS, WS and WSS connections waiting now. */
  int streamWaiting() {
    Queue<?> q = streams.get();
    return q == null ? 0 : q.size();
  }

  /** Age of the oldest message waiting in either queue, in nanoseconds (0 when none waits). */
  @Override
  public long getAsLong() {
    long now = System.currentTimeMillis();
    return Math.max(ageNanos(datagrams, now), ageNanos(streams.get(), now));
  }

  private static long ageNanos(Queue<?> queue, long nowMs) {
    if (queue == null) return 0;
    Object head = queue.peek();
    if (!(head instanceof QueuedMessageDispatchBase d)) return 0;
    return Math.max(0, nowMs - d.getReceptionTime()) * 1_000_000L;
  }
}

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
 * <p>jain-sip-ri 1.3.0-91 has three such queues, and each entry carries its reception time
 * ({@link QueuedMessageDispatchBase#getReceptionTime}, wall-clock milliseconds):
 * <ul>
 *   <li>UDP: a protected field of {@link UDPMessageProcessor}, read once by reflection;</li>
 *   <li>TCP, TLS, WS and WSS on the NIO transports (the gateway's whenever browsers can call): the executor the
 *       stack dispatches them on, which {@link GatewaySipStack} makes its own ({@link StreamDispatch});</li>
 *   <li>TCP and TLS on the blocking transports (without browsers): the post-parsing pool's queue
 *       ({@code TCP_POST_PARSING_THREAD_POOL_SIZE}), {@link PostParseExecutorServices#staticQueue}, public and
 *       shared by every stack in the JVM.</li>
 * </ul>
 * The selector or reader thread only splits the stream into messages; the parse and the dispatch to the listener
 * run from those queues. If a jain-sip version no longer has the UDP one, that part reports 0 and
 * {@link #measured} says false ({@code SipIntakeTest} fails on such an upgrade).
 */
final class SipIntake implements LongSupplier {
  private final BlockingQueue<?> datagrams;
  /** Read at every look: jain-sip creates the pool (and its queue) with the first stack that asks for one. */
  private final Supplier<Queue<?>> blockingStreams;
  /** The NIO transports' messages (null: a stack that is not the gateway's). */
  private final StreamDispatch nioStreams;

  private SipIntake(BlockingQueue<?> datagrams, Supplier<Queue<?>> blockingStreams, StreamDispatch nioStreams) {
    this.datagrams = datagrams;
    this.blockingStreams = blockingStreams;
    this.nioStreams = nioStreams;
  }

  /** The intake of {@code endpoint}'s stack: its UDP listening point, its NIO dispatch, the blocking transports' pool. */
  static SipIntake of(SipEndpoint endpoint) {
    return new SipIntake(datagramQueue(endpoint.provider.getListeningPoint(ListeningPoint.UDP)),
        () -> PostParseExecutorServices.staticQueue,
        endpoint.stack instanceof GatewaySipStack g ? g.streamDispatch() : null);
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

  /** Whether a stream transports' queue can be seen (the NIO dispatch, or the blocking transports' pool). */
  boolean streamMeasured() {
    return nioStreams != null || blockingStreams.get() != null;
  }

  /** Datagrams waiting now. */
  int waiting() {
    return datagrams == null ? 0 : datagrams.size();
  }

  /** Messages from TCP, TLS, WS and WSS connections waiting now. */
  int streamWaiting() {
    Queue<?> q = blockingStreams.get();
    return (q == null ? 0 : q.size()) + (nioStreams == null ? 0 : nioStreams.waiting());
  }

  /** Age of the oldest message waiting in any of the queues, in nanoseconds (0 when none waits). */
  @Override
  public long getAsLong() {
    long now = System.currentTimeMillis();
    long nio = nioStreams == null ? 0 : ageNanos(nioStreams.oldestWaiting(), now);
    return Math.max(nio, Math.max(ageNanos(datagrams, now), ageNanos(blockingStreams.get(), now)));
  }

  private static long ageNanos(Queue<?> queue, long nowMs) {
    return queue == null ? 0 : ageNanos(queue.peek(), nowMs);
  }

  private static long ageNanos(Object head, long nowMs) {
    if (!(head instanceof QueuedMessageDispatchBase d)) return 0;
    return Math.max(0, nowMs - d.getReceptionTime()) * 1_000_000L;
  }
}

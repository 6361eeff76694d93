package dev.mileage.gateway.sip;

import gov.nist.javax.sip.ThreadAffinityExecutor;
import gov.nist.javax.sip.stack.QueuedMessageDispatchBase;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stack's own executor for what jain-sip-ri 1.3.0-91 runs on its "self-routing" pool, and a view of the
 * messages waiting in it.
 *
 * <p>jain-sip's NIO transports (TCP, TLS, WS, WSS, which the gateway runs whenever browsers can call) parse and
 * dispatch every message they read on {@code SIPTransactionStack.getSelfRoutingThreadpoolExecutor()}, not on the
 * post-parsing pool the blocking transports use. jain-sip keeps that executor in a static field: one for every
 * stack in the JVM, sized by whichever stack touched it first, and shut down by every stack's {@code stop()} (a
 * message read at that moment is refused by the dead executor; the next one gets a new executor, sized by
 * whoever asks). {@link GatewaySipStack} hands out this one instead: jain-sip's executor, but its own threads,
 * shut down with it.
 *
 * <p>Each message waits here between the selector thread that read it and a thread that parses it (a
 * {@link QueuedMessageDispatchBase}, with its reception time); {@link #oldestWaiting} and {@link #waiting} let
 * overload control see that backlog ({@link SipIntake}). Other tasks (jain-sip's own self-routed work, and
 * everything given to {@code schedule} or {@code submit}) pass through unmeasured.
 */
final class StreamDispatch extends ThreadAffinityExecutor {
  /** Messages handed to the pool, oldest first; those already started leave from the head as it is read. */
  private final ConcurrentLinkedQueue<Waiting> queued = new ConcurrentLinkedQueue<>();
  private final AtomicInteger waiting = new AtomicInteger();

  StreamDispatch(int threads) {
    super(threads);
  }

  /** A message waiting for a parsing thread. */
  final class Waiting implements Runnable, QueuedMessageDispatchBase {
    private final Runnable task;
    private final long receivedMs;
    private volatile boolean started;

    Waiting(Runnable task, long receivedMs) {
      this.task = task;
      this.receivedMs = receivedMs;
    }

    @Override
    public void run() {
      start();
      trim();
      task.run();
    }

    /** Counted once, whether it ran or was refused. */
    private void start() {
      if (!started) {
        started = true;
        waiting.decrementAndGet();
      }
    }

    @Override
    public long getReceptionTime() {
      return receivedMs;
    }
  }

  /** Messages read and not yet being parsed. */
  int waiting() {
    return Math.max(0, waiting.get());
  }

  /** The message that has waited longest and is still waiting, or null. */
  QueuedMessageDispatchBase oldestWaiting() {
    return trim();
  }

  /**
   * Drops the started messages at the head and returns the first still waiting. Run by every message as it
   * starts, so the queue holds only what waits and what started behind it (threads take messages out of order).
   */
  private Waiting trim() {
    Waiting head;
    while ((head = queued.peek()) != null && head.started) queued.remove(head);
    return head;
  }

  @Override
  public void execute(Runnable command) {
    if (!(command instanceof QueuedMessageDispatchBase message)) {
      super.execute(command);
      return;
    }
    Waiting w = new Waiting(command, message.getReceptionTime());
    waiting.incrementAndGet();
    queued.add(w);
    try {
      super.execute(w);
    } catch (RuntimeException refused) {
      w.start();
      queued.remove(w);
      throw refused;
    }
  }
}

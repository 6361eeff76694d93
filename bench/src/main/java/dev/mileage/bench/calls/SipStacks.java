package dev.mileage.bench.calls;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.SipFactory;
import javax.sip.SipStack;

/** jain-sip stacks tuned for load: many transactions, big socket buffers, no message logging. */
final class SipStacks {
  /** Transactions in flight at most (INVITE, BYE and their retransmission windows at 10,000 concurrent calls). */
  static final int TRANSACTIONS_MAX = 200_000;
  /** Largest SIP message accepted, and the size of the buffer jain-sip allocates per received datagram. */
  static final int MESSAGE_BYTES_MAX = 8 * 1024;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private SipStacks() {}

  /** @param automaticDialogs jain-sip's dialog layer (the UAC keeps its dialogs itself: {@link InDialog}) */
  static SipStack create(String name, int listenerThreads, boolean automaticDialogs) {
    Properties p = new Properties();
    // SipFactory caches stacks by name: make every one distinct
    p.setProperty("javax.sip.STACK_NAME", name + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", automaticDialogs ? "on" : "off");
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", StackLogging.Stack.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", StackLogging.Messages.class.getName());
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(listenerThreads));
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", Integer.toString(TRANSACTIONS_MAX));
    p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", Integer.toString(TRANSACTIONS_MAX));
    p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(8 << 20));
    p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(8 << 20));
    p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
    p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
    // jain-sip allocates a fresh receive buffer of this size for every UDP datagram (8 KiB is its floor):
    // 64 KiB here was over 0.5 GB/s of garbage at 1,000 calls/s; SIP messages of this load are under 2 KiB
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(MESSAGE_BYTES_MAX));
    try {
      SipFactory factory = SipFactory.getInstance();
      factory.setPathName("gov.nist");
      return factory.createSipStack(p);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a jain-sip stack", e);
    }
  }
}

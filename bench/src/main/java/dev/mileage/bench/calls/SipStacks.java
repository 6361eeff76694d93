package dev.mileage.bench.calls;

import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.SipFactory;
import javax.sip.SipStack;

/** jain-sip stacks tuned for load: many transactions, big socket buffers, no message logging. */
final class SipStacks {
  /** Transactions in flight at most (INVITE, BYE and their retransmission windows at 10,000 concurrent calls). */
  static final int TRANSACTIONS_MAX = 200_000;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private SipStacks() {}

  static SipStack create(String name, int listenerThreads) {
    Properties p = new Properties();
    // SipFactory caches stacks by name: make every one distinct
    p.setProperty("javax.sip.STACK_NAME", name + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
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
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(64 * 1024));
    try {
      SipFactory factory = SipFactory.getInstance();
      factory.setPathName("gov.nist");
      return factory.createSipStack(p);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create a jain-sip stack", e);
    }
  }
}

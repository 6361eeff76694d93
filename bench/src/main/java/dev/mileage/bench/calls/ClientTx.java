package dev.mileage.bench.calls;

import javax.sip.message.Request;

/**
 * The timers of one client transaction (RFC 3261 17.1), kept by the generator itself: jain-sip sends the
 * request statelessly, and this says when to send it again and when to give up. A stack-managed transaction
 * costs a periodic 500 ms timer task for its whole life (32 s after a 401 on UDP) and a table entry; at
 * 1,000 calls/s that upkeep was the generator's busiest thread.
 *
 * <p>INVITE (17.1.1.2): Timer A from T1 doubling, none after a provisional response; Timer B = 64*T1 while no
 * response came. Non-INVITE (17.1.2.2): Timer E from T1 doubling up to T2, every T2 after a provisional
 * response; Timer F = 64*T1. Over TCP nothing is resent, the timeouts stay. Not thread safe: the call's lock
 * guards it.
 */
final class ClientTx {
  static final long T1_NANOS = 500_000_000L;
  static final long T2_NANOS = 4_000_000_000L;
  static final long TIMEOUT_NANOS = 64 * T1_NANOS;

  /** What is due at a given time. */
  enum Due { NOTHING, RESEND, TIMEOUT }

  final Request request;
  private final boolean invite;
  private final boolean reliable;
  private long intervalNanos = T1_NANOS;
  private long resendAtNanos = Long.MAX_VALUE;
  private long timeoutAtNanos = Long.MAX_VALUE;
  private boolean proceeding;
  private boolean done;
  private int resends;

  ClientTx(Request request, boolean reliable) {
    this.request = request;
    this.invite = Request.INVITE.equals(request.getMethod());
    this.reliable = reliable;
  }

  /** The request went out at {@code nowNanos}: starts the timers. */
  void sent(long nowNanos) {
    if (!reliable) resendAtNanos = nowNanos + T1_NANOS;
    timeoutAtNanos = nowNanos + TIMEOUT_NANOS;
  }

  void provisional() {
    if (done) return;
    if (invite) {
      resendAtNanos = Long.MAX_VALUE;
      timeoutAtNanos = Long.MAX_VALUE; // Proceeding: the call's setup deadline (CANCEL) takes over
    } else {
      intervalNanos = T2_NANOS; // the pending Timer E still fires, then every T2
    }
    proceeding = true;
  }

  /** A final response: the transaction is over for the generator. */
  void completed() {
    done = true;
    resendAtNanos = Long.MAX_VALUE;
    timeoutAtNanos = Long.MAX_VALUE;
  }

  boolean pending() {
    return !done;
  }

  boolean proceeding() {
    return proceeding;
  }

  int resends() {
    return resends;
  }

  /** The next instant this transaction needs attention, Long.MAX_VALUE for none. */
  long nextNanos() {
    return Math.min(resendAtNanos, timeoutAtNanos);
  }

  /** What is due at {@code nowNanos}; a RESEND also moves the retransmission timer on (the caller resends). */
  Due due(long nowNanos) {
    if (done) return Due.NOTHING;
    if (nowNanos >= timeoutAtNanos) {
      completed();
      return Due.TIMEOUT;
    }
    if (nowNanos < resendAtNanos) return Due.NOTHING;
    intervalNanos = invite ? intervalNanos * 2 : Math.min(intervalNanos * 2, T2_NANOS);
    resendAtNanos = nowNanos + intervalNanos;
    resends++;
    return Due.RESEND;
  }
}

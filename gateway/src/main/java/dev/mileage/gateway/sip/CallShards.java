package dev.mileage.gateway.sip;

import javax.sip.DialogTerminatedEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import javax.sip.Transaction;
import javax.sip.header.CallIdHeader;
import javax.sip.message.Message;

/**
 * Which event-loop shard handles a SIP event: calls are spread over several contexts by Call-ID, so one
 * call's events stay ordered on one thread while different calls use all cores. The trunk leg's Call-IDs
 * are ours ({@link #bLegCallId}): they name the shard of the caller's leg, so both legs of a call meet on
 * the same context. Anything else is hashed; an event without a Call-ID goes to shard 0.
 */
final class CallShards {
  /** Prefix of the Call-IDs we make for trunk legs: {@code gw<shard>.<random>@<host>}. */
  static final String B_PREFIX = "gw";
  /** Shards at most (bounded by the event loops worth having on one machine). */
  static final int SHARDS_MAX = 64;

  private final int shards;

  CallShards(int shards) {
    if (shards < 1 || shards > SHARDS_MAX) throw new IllegalArgumentException("shards in [1, " + SHARDS_MAX + "]");
    this.shards = shards;
  }

  /** Event loops for SIP: one per core, at least two (a stalled one must not stop every call). */
  static int defaultShards() {
    return Math.min(SHARDS_MAX, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  int count() {
    return shards;
  }

  int of(String callId) {
    if (callId == null) return 0;
    int named = named(callId);
    return named >= 0 ? named : Math.floorMod(callId.hashCode(), shards);
  }

  /** The shard a {@code gw<k>.} Call-ID names, or -1. */
  private int named(String callId) {
    if (!callId.startsWith(B_PREFIX)) return -1;
    int k = 0;
    int i = B_PREFIX.length();
    int digits = 0;
    while (i < callId.length() && digits < 3 && Character.isDigit(callId.charAt(i))) {
      k = k * 10 + (callId.charAt(i++) - '0');
      digits++;
    }
    if (digits == 0 || i >= callId.length() || callId.charAt(i) != '.' || k >= shards) return -1;
    return k;
  }

  /** A trunk-leg Call-ID that {@link #of} maps to {@code shard}. */
  static String bLegCallId(int shard, long random, String host) {
    return B_PREFIX + shard + '.' + Long.toHexString(random) + '@' + host;
  }

  int of(Message m) {
    CallIdHeader h = m == null ? null : (CallIdHeader) m.getHeader(CallIdHeader.NAME);
    return of(h == null ? null : h.getCallId());
  }

  int of(RequestEvent e) {
    return of(e.getRequest());
  }

  int of(ResponseEvent e) {
    return of(e.getResponse());
  }

  int of(TimeoutEvent e) {
    Transaction t = e.isServerTransaction() ? e.getServerTransaction() : e.getClientTransaction();
    return t == null ? 0 : of(t.getRequest());
  }

  int of(DialogTerminatedEvent e) {
    return e.getDialog() == null ? 0 : of(e.getDialog().getCallId().getCallId());
  }
}

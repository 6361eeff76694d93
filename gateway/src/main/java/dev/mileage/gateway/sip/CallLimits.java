package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.SocketBudget;
import dev.mileage.points.ledger.Checks;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway-wide call limits shared by every shard: calls in total ({@code callsMax}) and per member
 * ({@code callsPerAccountMax}). Thread safe; admission is atomic, so shards cannot together overshoot.
 */
final class CallLimits {
  enum Admission { OK, GATEWAY_FULL, ACCOUNT_BUSY }

  private final int callsMax;
  private final int callsPerAccountMax;
  private final AtomicInteger live = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perOwner = new ConcurrentHashMap<>();

  private final SocketBudget sockets;

  CallLimits(int callsMax, int callsPerAccountMax) {
    this(callsMax, callsPerAccountMax, SocketBudget.unlimited());
  }

  /** {@code sockets}: the descriptors call media may hold (see {@link CallCapacity#budget}). */
  CallLimits(int callsMax, int callsPerAccountMax, SocketBudget sockets) {
    this.sockets = java.util.Objects.requireNonNull(sockets, "sockets");
    if (callsMax < 1 || callsPerAccountMax < 1) throw new IllegalArgumentException("limits must be positive");
    this.callsMax = callsMax;
    this.callsPerAccountMax = callsPerAccountMax;
  }

  SocketBudget sockets() {
    return sockets;
  }

  boolean full() {
    return live.get() >= callsMax;
  }

  int live() {
    return live.get();
  }

  /** Takes a slot for one call of {@code owner}; {@link #release} gives it back. */
  Admission admit(String owner) {
    int n;
    do {
      n = live.get();
      if (n >= callsMax) return Admission.GATEWAY_FULL;
    } while (!live.compareAndSet(n, n + 1));
    boolean[] busy = {false};
    perOwner.compute(owner, (k, c) -> {
      int calls = c == null ? 0 : c;
      if (calls >= callsPerAccountMax) {
        busy[0] = true;
        return c;
      }
      return calls + 1;
    });
    if (busy[0]) {
      live.decrementAndGet();
      return Admission.ACCOUNT_BUSY;
    }
    return Admission.OK;
  }

  void release(String owner) {
    perOwner.computeIfPresent(owner, (k, n) -> n <= 1 ? null : n - 1);
    int after = live.decrementAndGet();
    Checks.invariant(after >= 0, "call count went below zero");
  }

  int of(String owner) {
    return perOwner.getOrDefault(owner, 0);
  }
}

package dev.mileage.bench.calls;

import dev.mileage.bench.load.LatencyRecorder;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a call load run, updated from SIP stack threads. */
final class CallStats {
  /** Failure reasons are response codes or a few fixed words: a bounded key set. */
  static final int FAILURE_REASONS_MAX = 64;

  final LongAdder attempted = new LongAdder();
  final LongAdder challenged = new LongAdder();
  final LongAdder answered = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder endedByRemote = new LongAdder();
  final LatencyRecorder setup = new LatencyRecorder();
  final LatencyRecorder teardown = new LatencyRecorder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final AtomicLong established = new AtomicLong();
  private final AtomicLong establishedMax = new AtomicLong();
  private final AtomicLong inProgress = new AtomicLong();
  private final AtomicLong inProgressMax = new AtomicLong();
  /** Every answered call that ended, for the ledger cross-check; bounded by the run's call count. */
  private final Queue<TalkedCall> talked = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> answeredByUser = new ConcurrentHashMap<>();
  /** Concurrent mode: how long at least this many calls were up at once (0: not watched). */
  private volatile long plateauTarget;
  private long plateauStartNanos = -1;
  private long plateauFirstReachedNanos = -1;
  private long plateauLongestNanos;

  /** Watch for {@code target} calls up at once from now on (concurrent mode). */
  void watchPlateau(long target) {
    plateauTarget = target;
  }

  void callStarted() {
    attempted.increment();
    inProgressMax.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
  }

  void callAnswered(String username) {
    answered.increment();
    answeredByUser.computeIfAbsent(username, u -> new LongAdder()).increment();
    long n = established.incrementAndGet();
    establishedMax.accumulateAndGet(n, Math::max);
    long target = plateauTarget;
    if (target > 0 && n >= target) plateauCrossed(true);
  }

  /** Up to or down from the target: only at the crossings (the lock is not on the per-call path otherwise). */
  private synchronized void plateauCrossed(boolean up) {
    long now = System.nanoTime();
    if (up && plateauStartNanos < 0) {
      plateauStartNanos = now;
      if (plateauFirstReachedNanos < 0) plateauFirstReachedNanos = now;
    } else if (!up && plateauStartNanos >= 0 && established.get() < plateauTarget) {
      plateauLongestNanos = Math.max(plateauLongestNanos, now - plateauStartNanos);
      plateauStartNanos = -1;
    }
  }

  /** The longest stretch with the target number of calls up at once, so far (nanoseconds). */
  synchronized long plateauNanos() {
    long open = plateauStartNanos >= 0 ? System.nanoTime() - plateauStartNanos : 0;
    return Math.max(plateauLongestNanos, open);
  }

  /** When the target was first reached (System.nanoTime), -1 if never. */
  synchronized long plateauFirstReachedNanos() {
    return plateauFirstReachedNanos;
  }

  /** An answered call ended (by us or the far side): its talk time counts towards billing. */
  void establishedEnded(String callId, String username, long talkMillis) {
    long n = established.decrementAndGet();
    long target = plateauTarget;
    if (target > 0 && n == target - 1) plateauCrossed(false);
    talked.add(new TalkedCall(callId, username, Math.max(0, talkMillis)));
  }

  /** An answered call as the generator saw it: answer (200) to end (BYE sent, or BYE received). */
  record TalkedCall(String callId, String username, long talkMillis) {}

  void callEnded() {
    inProgress.decrementAndGet();
  }

  void failed(String reason) {
    String key = failures.size() < FAILURE_REASONS_MAX || failures.containsKey(reason) ? reason : "other";
    failures.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  long failedTotal() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, Long> failuresByReason() {
    Map<String, Long> copy = new TreeMap<>();
    failures.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  long establishedNow() { return established.get(); }
  long establishedMax() { return establishedMax.get(); }
  long inProgressNow() { return inProgress.get(); }
  long inProgressMax() { return inProgressMax.get(); }

  List<TalkedCall> talkedCalls() {
    return List.copyOf(talked);
  }

  Map<String, Long> answeredByUser() {
    Map<String, Long> copy = new TreeMap<>();
    answeredByUser.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }
}

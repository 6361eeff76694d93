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

  void callStarted() {
    attempted.increment();
    inProgressMax.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
  }

  void callAnswered(String username) {
    answered.increment();
    answeredByUser.computeIfAbsent(username, u -> new LongAdder()).increment();
    establishedMax.accumulateAndGet(established.incrementAndGet(), Math::max);
  }

  /** An answered call ended (by us or the far side): its talk time counts towards billing. */
  void establishedEnded(String callId, String username, long talkMillis) {
    established.decrementAndGet();
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

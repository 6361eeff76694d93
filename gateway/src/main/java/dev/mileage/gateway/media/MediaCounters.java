package dev.mileage.gateway.media;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the media path, one pair (passed, dropped) per node name, shared by all calls so metrics
 * stay bounded. Read by tests and exported as metrics.
 */
public final class MediaCounters {
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

  public LongAdder counter(String node, String what) {
    return counters.computeIfAbsent(node + "." + what, k -> new LongAdder());
  }

  public long get(String node, String what) {
    LongAdder a = counters.get(node + "." + what);
    return a == null ? 0 : a.sum();
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}

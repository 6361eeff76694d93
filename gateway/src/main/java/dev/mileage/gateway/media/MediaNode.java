package dev.mileage.gateway.media;

import java.util.concurrent.atomic.LongAdder;

/**
 * One step of the media path (receive, filter, latch, send, ...). A node looks at a packet, counts it,
 * and passes it on or drops it. Nodes are chained by {@link MediaTopology}; each is a few lines.
 */
public abstract class MediaNode {
  private final String name;
  private final LongAdder passed;
  private final LongAdder dropped;
  private MediaNode next;

  protected MediaNode(String name, MediaCounters counters) {
    this.name = name;
    this.passed = counters.counter(name, "passed");
    this.dropped = counters.counter(name, "dropped");
  }

  public final String name() {
    return name;
  }

  final MediaNode then(MediaNode next) {
    this.next = next;
    return next;
  }

  /** Handles a packet; {@link #pass} or {@link #drop} it. */
  public abstract void accept(MediaPacket packet);

  protected final void pass(MediaPacket packet) {
    passed.increment();
    if (next != null) next.accept(packet);
  }

  protected final void drop(MediaPacket packet) {
    dropped.increment();
  }
}

package dev.mileage.gateway.media;

import java.util.List;

/**
 * THE declaration of the media path, in one place. Plain RTP between a phone (or the browser leg of a
 * later issue, which adds demux/decrypt/encrypt nodes here) and the trunk:
 * <pre>
 *   A socket -> a.receive -> a.filter -> a.latch -> b.send -> B peer
 *   B socket -> b.receive -> b.filter -> b.latch -> a.send -> A peer
 * </pre>
 * Node names are also the counter names ({@code a.filter.dropped}, ...).
 */
public final class MediaTopology {
  private MediaTopology() {
  }

  /** The head of the chain that handles packets arriving on {@code in} and leaving through {@code out}. */
  static MediaNode plainRtp(String inName, MediaLeg in, String outName, MediaLeg out, MediaCounters counters) {
    List<MediaNode> chain = List.of(
        new MediaNodes.Receive(inName + ".receive", counters, in),
        new MediaNodes.RtpFilter(inName + ".filter", counters, in::allowedPayloadTypes),
        new MediaNodes.SourceLatch(inName + ".latch", counters, in),
        new MediaNodes.Send(outName + ".send", counters, out));
    for (int i = 0; i + 1 < chain.size(); i++) chain.get(i).then(chain.get(i + 1));
    return chain.get(0);
  }
}

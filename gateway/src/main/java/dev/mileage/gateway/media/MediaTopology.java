package dev.mileage.gateway.media;

import java.util.List;

/**
 * THE declaration of the media path, in one place. Plain RTP between a phone (or the browser leg, whose
 * plain side is such a phone) and the trunk, both on the call's one port P:
 * <pre>
 *   P socket -> demux -+- RTCP (RFC 5761) ----------------------------> rtcp relay -> other side's RTCP peer
 *                      +- from the trunk -> b.receive -> b.filter -> b.latch -> a.send -> A peer (from P)
 *                      +- anything else  -> a.receive -> a.filter -> a.latch -> b.send -> B peer (from P)
 * </pre>
 * Node names are also the counter names ({@code a.filter.dropped}, ...).
 */
public final class MediaTopology {
  private MediaTopology() {
  }

  /** The head of the chain that handles datagrams arriving on the call's port {@code P}. */
  static MediaNode sharedPort(MediaLeg a, MediaLeg b, RtcpRelay rtcp, MediaCounters counters) {
    MediaNode aPath = path("a", a, "b", b, true, counters);
    MediaNode bPath = path("b", b, "a", a, false, counters);
    return new MediaNodes.Demux("demux", counters, b, aPath, bPath, rtcp);
  }

  /** The chain of one direction: what arrives from {@code in} leaves towards {@code out}. */
  private static MediaNode path(String inName, MediaLeg in, String outName, MediaLeg out, boolean latchesOthers,
                                MediaCounters counters) {
    List<MediaNode> chain = List.of(
        new MediaNodes.Receive(inName + ".receive", counters, in),
        new MediaNodes.RtpFilter(inName + ".filter", counters, in::allowedPayloadTypes),
        new MediaNodes.SourceLatch(inName + ".latch", counters, in, out, latchesOthers),
        new MediaNodes.Send(outName + ".send", counters, out));
    for (int i = 0; i + 1 < chain.size(); i++) chain.get(i).then(chain.get(i + 1));
    return chain.get(0);
  }
}

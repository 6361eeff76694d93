package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaNode;

/**
 * THE declaration of the browser leg's media path, in one place. The browser's single port carries
 * STUN, DTLS and SRTP (RFC 7983); the relay side is plain G.711 RTP to the call's {@code RtpRelay}:
 * <pre>
 *   browser -> web.receive -> web.demux -+-> web.ice   (STUN: answer, select the pair)
 *                                        +-> web.dtls  (handshake -> SRTP keys)
 *                                        +-> web.source (only from the selected pair)
 *                                            -> web.decrypt -+-> web.rtcp (terminated)
 *                                                            +-> web.before-keys (terminated: SRTP that came
 *                                                            |   before our side of DTLS had its keys)
 *                                                            +-> web.replayed (terminated: duplicates and
 *                                                            |   packets older than the replay window)
 *                                                            +-> web.check -> web.relay -> relay (plain RTP)
 *   relay -> web.inner.receive -> web.inner.from-relay -> web.encrypt -> web.send -> browser
 * </pre>
 * Node names are the counter names ({@code web.decrypt.dropped}, ...), shared by all browser calls.
 */
final class WebRtcTopology {
  /** Every node's name, as declared below: what metrics export ({@code <name>.passed}, {@code <name>.dropped}). */
  static final java.util.List<String> NODES = java.util.List.of("web.receive", "web.demux", "web.ice", "web.dtls",
      "web.source", "web.decrypt", "web.rtcp", "web.before-keys", "web.replayed", "web.check", "web.relay", "web.inner.receive", "web.inner.from-relay", "web.encrypt",
      "web.send");

  private WebRtcTopology() {
  }

  static MediaNode fromBrowser(WebRtcLeg leg, MediaCounters c) {
    MediaNode decrypt = new WebRtcNodes.Decrypt("web.decrypt", c, leg, new WebRtcNodes.Count("web.rtcp", c),
        new WebRtcNodes.Count("web.before-keys", c), new WebRtcNodes.Count("web.replayed", c));
    MediaNode head = new WebRtcNodes.Receive("web.receive", c);
    // ICE-lite: valid checks are answered and select the browser's address; DTLS from it goes to the handshake
    head.then(new WebRtcNodes.Demux("web.demux", c, new WebRtcNodes.Gate("web.ice", c, leg::onStun),
            new WebRtcNodes.Gate("web.dtls", c, leg::onDtls)))
        // media only from the selected pair, before any key is used
        .then(new WebRtcNodes.Gate("web.source", c, p -> leg.fromSelected(p.sender())))
        .then(decrypt)
        // RTP v2 with a negotiated payload type (the chosen G.711 codec, telephone-event)
        .then(new WebRtcNodes.Gate("web.check", c, p -> p.isRtp() && leg.allows(p.payloadType())))
        .then(new WebRtcNodes.Relay("web.relay", c, leg));
    return head;
  }

  static MediaNode fromRelay(WebRtcLeg leg, MediaCounters c) {
    MediaNode head = new WebRtcNodes.Receive("web.inner.receive", c);
    // plain RTP from the relay side only from the relay's address
    head.then(new WebRtcNodes.Gate("web.inner.from-relay", c, p -> leg.fromRelay(p.sender())))
        .then(new WebRtcNodes.Encrypt("web.encrypt", c, leg))
        .then(new WebRtcNodes.SendToBrowser("web.send", c, leg));
    return head;
  }
}

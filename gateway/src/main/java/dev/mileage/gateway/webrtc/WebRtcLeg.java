package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaNode;
import dev.mileage.gateway.media.MediaPacket;
import dev.mileage.gateway.media.PortPool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The browser's media leg, terminated in the gateway: ICE-lite on one UDP port (RFC 8445 2.5), DTLS 1.2
 * in the role the offer leaves us (RFC 5763), SRTP/SRTCP with the exported keys, rtcp-mux. Towards the
 * call's RTP relay it is a plain G.711 endpoint on a second port, so the B2BUA and its relay stay
 * transport-neutral: they see an ordinary RTP/AVP leg ({@link #plainSdp}).
 *
 * <p>Created and used on one event loop; the DTLS handshake runs on a worker and hands its keys back.
 */
public final class WebRtcLeg {
  /** Concurrent DTLS handshakes (each holds a worker thread up to its timeout). */
  static final int HANDSHAKES_MAX = 64;
  /** Distinct sources of valid ICE checks remembered per leg (a browser has a handful of candidates). */
  static final int CHECK_SOURCES_MAX = 16;
  private static final AtomicInteger HANDSHAKES = new AtomicInteger();

  private final Vertx vertx;
  private final Context context;
  private final PortPool ports;
  private final String host;
  static final java.util.Set<String> DIRECTIONS = java.util.Set.of("sendrecv", "sendonly", "recvonly", "inactive");
  private final WebRtcOffer offer;
  private final DtlsIdentity identity;
  private final String localUfrag;
  private final String localPwd;
  private final Promise<DtlsOutcome> secured = Promise.promise();
  private DatagramSocket browser;
  private DatagramSocket inner;
  private volatile SocketAddress selected;
  private final java.util.Set<SocketAddress> checkSources = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private SocketAddress relay;
  private DtlsTransportQueue dtls;
  private SrtpSession srtp;
  private boolean closed;

  private WebRtcLeg(Vertx vertx, PortPool ports, String host, WebRtcOffer offer, DtlsIdentity identity, SecureRandom random) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.ports = ports;
    this.host = host;
    this.offer = offer;
    this.identity = identity;
    byte[] u = new byte[6];
    byte[] p = new byte[18];
    random.nextBytes(u);
    random.nextBytes(p);
    this.localUfrag = HexFormat.of().formatHex(u);
    this.localPwd = HexFormat.of().formatHex(p);
  }

  /** Binds both ports (browser side, relay side) for a checked offer; on failure nothing stays bound. */
  public static Future<WebRtcLeg> open(Vertx vertx, PortPool ports, MediaCounters counters, DtlsIdentity identity,
                                       String host, WebRtcOffer offer, SecureRandom random) {
    if (!offer.ok()) throw new IllegalArgumentException("offer not acceptable: " + offer.check());
    WebRtcLeg leg = new WebRtcLeg(vertx, ports, host, offer, identity, random);
    return ports.bind().compose(b -> ports.bind()
        .recover(err -> {
          ports.release(b);
          return Future.failedFuture(err);
        })
        .map(i -> {
          leg.browser = b;
          leg.inner = i;
          MediaNode fromBrowser = WebRtcTopology.fromBrowser(leg, counters);
          MediaNode fromRelay = WebRtcTopology.fromRelay(leg, counters);
          b.handler(p -> fromBrowser.accept(new MediaPacket(p.data(), p.sender())));
          i.handler(p -> fromRelay.accept(new MediaPacket(p.data(), p.sender())));
          return leg;
        }));
  }

  public WebRtcOffer offer() {
    return offer;
  }

  /** The browser-facing port (our ICE host candidate). */
  public int browserPort() {
    return browser.localAddress().port();
  }

  /** The relay-facing port (plain RTP). */
  public int innerPort() {
    return inner.localAddress().port();
  }

  /** Completes when DTLS has finished, with its outcome; anything but OK means the call must end. */
  public Future<DtlsOutcome> secured() {
    return secured.future();
  }

  /** Where the relay sends the browser's audio, from the relay's SDP. */
  public void relay(String relayHost, int relayPort) {
    this.relay = SocketAddress.inetSocketAddress(relayPort, relayHost);
  }

  /** Our SDP answer to the browser: ICE-lite host candidate, fingerprint, DTLS role, SAVPF, rtcp-mux. */
  public String answerSdp(long sessionId, long version) {
    return answerSdp(sessionId, version, "sendrecv");
  }

  /** The answer in {@code direction} (hold: the browser's sendonly is answered recvonly, RFC 3264 6.1). */
  public String answerSdp(long sessionId, long version, String direction) {
    if (!DIRECTIONS.contains(direction)) throw new IllegalArgumentException("not an SDP direction: " + direction);
    int port = browserPort();
    StringBuilder s = new StringBuilder(768);
    s.append("v=0\r\n");
    s.append("o=mileage ").append(sessionId).append(' ').append(version).append(" IN IP4 ").append(host).append("\r\n");
    s.append("s=-\r\nt=0 0\r\n");
    s.append("a=ice-lite\r\n");
    if (offer.mid() != null) s.append("a=group:BUNDLE ").append(offer.mid()).append("\r\n");
    s.append("m=audio ").append(port).append(" UDP/TLS/RTP/SAVPF ").append(offer.codec());
    if (offer.telephoneEvent() >= 0) s.append(' ').append(offer.telephoneEvent());
    s.append("\r\n");
    s.append("c=IN IP4 ").append(host).append("\r\n");
    if (offer.mid() != null) s.append("a=mid:").append(offer.mid()).append("\r\n");
    s.append("a=ice-ufrag:").append(localUfrag).append("\r\n");
    s.append("a=ice-pwd:").append(localPwd).append("\r\n");
    s.append("a=fingerprint:").append(identity.fingerprint().sdpValue()).append("\r\n");
    s.append("a=setup:").append(offer.weAreDtlsServer() ? "passive" : "active").append("\r\n");
    s.append("a=").append(direction).append("\r\na=rtcp-mux\r\n");
    s.append("a=rtpmap:").append(offer.codec()).append(offer.codec() == WebRtcOffer.PCMU ? " PCMU/8000" : " PCMA/8000").append("\r\n");
    if (offer.telephoneEvent() >= 0) {
      s.append("a=rtpmap:").append(offer.telephoneEvent()).append(" telephone-event/8000\r\n");
      s.append("a=fmtp:").append(offer.telephoneEvent()).append(" 0-15\r\n");
    }
    s.append("a=candidate:1 1 udp 2130706431 ").append(host).append(' ').append(port).append(" typ host\r\n");
    s.append("a=end-of-candidates\r\n");
    return s.toString();
  }

  /**
   * Why a mid-call offer cannot be answered by this leg (null when it can): it must be a valid offer that
   * keeps the ICE credentials (no ICE restart, RFC 8839 4.4.1.1.1), the DTLS fingerprint (no new
   * association, RFC 8842 5) and the codec in use, so that only the direction changes.
   */
  public String reofferRefusal(WebRtcOffer next) {
    if (!next.ok()) return next.check().words;
    if (!next.iceUfrag().equals(offer.iceUfrag()) || !next.icePwd().equals(offer.icePwd())) {
      return "an ICE restart is not supported during a call";
    }
    if (!next.fingerprint().equals(offer.fingerprint())) return "a new DTLS certificate is not supported during a call";
    if (!next.offers(offer.codec())) return "the codec cannot change during a call";
    return null;
  }

  /** The same audio as a plain RTP/AVP offer for the relay side (what the B2BUA sees from this leg). */
  public String plainSdp(long sessionId, long version) {
    StringBuilder s = new StringBuilder(256);
    s.append("v=0\r\n");
    s.append("o=mileage-web ").append(sessionId).append(' ').append(version).append(" IN IP4 ").append(host).append("\r\n");
    s.append("s=-\r\nc=IN IP4 ").append(host).append("\r\nt=0 0\r\n");
    s.append("m=audio ").append(innerPort()).append(" RTP/AVP ").append(offer.codec());
    if (offer.telephoneEvent() >= 0) s.append(' ').append(offer.telephoneEvent());
    s.append("\r\n");
    s.append("a=rtpmap:").append(offer.codec()).append(offer.codec() == WebRtcOffer.PCMU ? " PCMU/8000" : " PCMA/8000").append("\r\n");
    if (offer.telephoneEvent() >= 0) {
      s.append("a=rtpmap:").append(offer.telephoneEvent()).append(" telephone-event/8000\r\n");
      s.append("a=fmtp:").append(offer.telephoneEvent()).append(" 0-15\r\n");
    }
    s.append("a=sendrecv\r\n");
    return s.toString();
  }

  /** The browser's address of the selected pair (null before a valid check): where SRTP goes. */
  SocketAddress selected() {
    return selected;
  }

  /** Where valid ICE checks came from, the first {@link #CHECK_SOURCES_MAX} distinct sources. */
  java.util.Set<SocketAddress> checkSources() {
    return java.util.Set.copyOf(checkSources);
  }

  // ------------------------------------------------------------------ called by the nodes

  SrtpSession srtp() {
    return srtp;
  }

  boolean fromSelected(SocketAddress sender) {
    SocketAddress s = selected;
    return s != null && s.port() == sender.port() && s.hostAddress().equals(sender.hostAddress());
  }

  boolean fromRelay(SocketAddress sender) {
    SocketAddress r = relay;
    return r != null && r.port() == sender.port() && (r.host().equals(sender.hostAddress()) || r.host().equals(sender.host()));
  }

  boolean allows(int payloadType) {
    return payloadType == offer.codec() || (offer.telephoneEvent() >= 0 && payloadType == offer.telephoneEvent());
  }

  /** A STUN message: answered when it is a valid check for us; the first valid one selects the pair. */
  boolean onStun(MediaPacket packet) {
    Stun.Request r = Stun.check(packet.data().getBytes(), localUfrag, localPwd);
    if (r.check() != Stun.Check.OK || closed) return false;
    SocketAddress from = packet.sender();
    if (checkSources.size() < CHECK_SOURCES_MAX) checkSources.add(from);
    byte[] response = Stun.success(r.transactionId(), from.hostAddress(), from.port(), localPwd);
    browser.send(Buffer.buffer(response), from.port(), from.hostAddress());
    // ICE-lite: the controlling browser decides; we use the pair it nominates, or the first that
    // passed a check until it nominates one (RFC 8445 7.3.1.5 with a single host candidate of ours)
    if (selected == null || r.useCandidate()) {
      boolean first = selected == null;
      selected = from;
      if (first && !offer.weAreDtlsServer()) startDtls();
    }
    return true;
  }

  boolean onDtls(MediaPacket packet) {
    if (closed || !fromSelected(packet.sender())) return false;
    if (dtls == null) {
      if (!offer.weAreDtlsServer()) return false;
      startDtls();
      if (dtls == null) return false;
    }
    return dtls.offer(packet.data().getBytes());
  }

  private void startDtls() {
    if (HANDSHAKES.incrementAndGet() > HANDSHAKES_MAX) {
      HANDSHAKES.decrementAndGet();
      secured.tryComplete(DtlsOutcome.HANDSHAKE_FAILED);
      return;
    }
    SocketAddress to = selected;
    DatagramSocket socket = browser;
    DtlsTransportQueue q = new DtlsTransportQueue(rec -> socket.send(Buffer.buffer(rec), to.port(), to.hostAddress()));
    dtls = q;
    boolean server = offer.weAreDtlsServer();
    // the SRTP contexts are built on the worker too: jitsi-srtp benchmarks its AES providers on first
    // use, which takes seconds and must never run on the event loop
    vertx.executeBlocking(() -> {
          SrtpSession.warmUp();
          DtlsResult r = DtlsHandshake.run(server, identity, offer.fingerprint(), q);
          return new Secured(r.outcome(), r.outcome() == DtlsOutcome.OK ? new SrtpSession(r.keys()) : null);
        }, false)
        .onComplete(ar -> {
          HANDSHAKES.decrementAndGet();
          Secured result = ar.succeeded() ? ar.result() : new Secured(DtlsOutcome.HANDSHAKE_FAILED, null);
          context.runOnContext(v -> {
            if (result.srtp() != null) {
              if (closed) result.srtp().close();
              else srtp = result.srtp();
            }
            secured.tryComplete(result.outcome());
          });
        });
  }

  private record Secured(DtlsOutcome outcome, SrtpSession srtp) {
  }

  boolean sendToRelay(Buffer rtp) {
    SocketAddress r = relay;
    if (r == null || closed) return false;
    inner.send(rtp, r.port(), r.host());
    return true;
  }

  boolean sendToBrowser(Buffer srtpPacket) {
    SocketAddress s = selected;
    if (s == null || closed) return false;
    browser.send(srtpPacket, s.port(), s.hostAddress());
    return true;
  }

  /** Releases both ports and the keys; idempotent, call on every way a call ends. */
  public void close() {
    if (closed) return;
    closed = true;
    if (dtls != null) dtls.close();
    if (srtp != null) srtp.close();
    srtp = null;
    ports.release(browser);
    ports.release(inner);
    secured.tryComplete(DtlsOutcome.HANDSHAKE_FAILED);
  }
}

package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.PortPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.sip.SipProvider;
import javax.sip.SipStack;
import java.util.List;
import java.util.Properties;

/**
 * The browser side of calls, plugged into the SIP feature from the webrtc package so the B2BUA stays
 * free of WebRTC code: SIP over WebSocket listening points (RFC 7118) on the gateway's provider, and a
 * media leg per browser call that terminates ICE/DTLS-SRTP and looks like plain G.711 RTP to the relay.
 */
public interface BrowserCalls {
  /**
   * Takes the gateway's settings (ports, TLS), clock and Vert.x (its worker pool for slow work); called once,
   * at start-up before the SIP verticle starts, on a thread that may block.
   */
  void configure(dev.mileage.gateway.GatewayConfig config, java.time.Clock clock, Vertx vertx);

  /**
   * Stack properties the browser transports need; called before the stack is created. {@code flowClosed} gets
   * the {@link Flow} of every browser connection that closes (on an I/O thread: it hands off and returns), so
   * the calls and registrations that came over it end at once (RFC 7118 5).
   */
  void configureStack(Properties stackProperties, java.util.function.Consumer<String> flowClosed);

  /** Whether the browser connection {@code flow} ({@link Flow#of}) is still open. */
  boolean flowOpen(String flow);

  /** Adds the browser listening points (WS, or WSS) to the provider. Blocking: called on a worker. */
  void listen(SipStack stack, SipProvider provider, String host) throws Exception;

  /** Whether a request that arrived on {@code transport} (from its Via: ws, wss, ...) comes from a browser. */
  boolean isBrowserTransport(String transport);

  /** Why a browser's SDP offer cannot be answered, in words (488); null when it is acceptable. */
  String refusal(String offerSdp);

  /** Opens the media leg for an acceptable offer; runs on the SIP verticle's context. */
  Future<Leg> open(Vertx vertx, PortPool ports, MediaCounters counters, String host, String offerSdp);

  /** Banner lines (the WS/WSS addresses actually bound); empty before {@link #listen}. */
  List<String> banner();

  /** One browser call's media leg. */
  interface Leg {
    /** The leg as the relay sees it: a plain RTP/AVP G.711 offer on the leg's inner port. */
    String plainSdp();

    /** The answer the browser gets: ICE-lite candidate, our fingerprint, SAVPF, rtcp-mux. */
    default String answerSdp(long sessionId, long version) {
      return answerSdp(sessionId, version, "sendrecv");
    }

    /** The same answer in {@code direction} (RFC 3264 6.1: sendrecv, sendonly, recvonly or inactive). */
    String answerSdp(long sessionId, long version, String direction);

    /**
     * Why a mid-call offer from the browser cannot be answered on this leg, in words (488); null when it
     * keeps the leg's ICE credentials, DTLS fingerprint and codec, so only its direction (hold) changes.
     */
    String reofferRefusal(String offerSdp);

    /** Where the leg sends the browser's audio as plain RTP (the relay's caller-side port). */
    void relayAt(String host, int port);

    /** True once DTLS finished with the offer's fingerprint; false on mismatch, failure or timeout. */
    Future<Boolean> secured();

    /** Releases ports and keys; idempotent. */
    void close();
  }
}

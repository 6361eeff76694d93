package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.PortPool;
import dev.mileage.gateway.sip.BrowserCalls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Browser calls for the SIP feature: SIP over WebSocket (RFC 7118) on its own port, WSS when a key store
 * is configured, and per call a {@link WebRtcLeg} (ICE-lite, DTLS 1.2 with the fingerprint checked,
 * SRTP, rtcp-mux) that the B2BUA sees as a plain G.711 RTP leg. The DTLS identity is renewed daily
 * ({@link DtlsIdentities}).
 */
public final class WebRtcCalls implements BrowserCalls {
  /** Attempts to find a free port when the WS port is 0. */
  static final int PORT_ATTEMPTS_MAX = 20;

  /**
   * @param webSocketPort    WS (or WSS) port; 0: a free one
   * @param keyStore         PKCS#12 or JKS key store with the server certificate: WSS instead of WS
   * @param keyStorePassword its password (never logged)
   * @param handshakeTimeout a browser that has not finished ICE and DTLS within this is refused (488)
   */
  public record Options(int webSocketPort, Optional<Path> keyStore, String keyStorePassword, Duration handshakeTimeout) {
    public Options {
      if (webSocketPort < 0 || webSocketPort > 65535) throw new IllegalArgumentException("webSocketPort out of range");
      Objects.requireNonNull(keyStore, "keyStore");
      Objects.requireNonNull(keyStorePassword, "keyStorePassword");
      Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
      if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) throw new IllegalArgumentException("handshakeTimeout");
    }

    public static Options ws(int port) {
      return new Options(port, Optional.empty(), "", Duration.ofSeconds(20));
    }

    public boolean secure() {
      return keyStore.isPresent();
    }

    @Override
    public String toString() {
      return "Options[webSocketPort=" + webSocketPort + ", keyStore=" + keyStore + ", handshakeTimeout=" + handshakeTimeout + "]";
    }
  }

  private final Function<GatewayConfig, Options> optionsOf;
  private final SecureRandom random = new SecureRandom();
  private volatile Options options;
  private volatile DtlsIdentities identities;
  private volatile String host;
  private volatile int port = -1;
  private volatile WebSocketFlows flows;
  private volatile Consumer<WebRtcLeg> legOpened = leg -> { };

  /** Options from the gateway's settings ({@code --sip-ws-port}, {@code --sip-tls-key-store}). */
  public WebRtcCalls() {
    this(WebRtcCalls::optionsOf);
  }

  public WebRtcCalls(Function<GatewayConfig, Options> optionsOf) {
    this.optionsOf = Objects.requireNonNull(optionsOf, "optionsOf");
  }

  public static Options optionsOf(GatewayConfig config) {
    return new Options(config.sipWsPort(), config.sipTlsKeyStore(), config.sipTlsKeyStorePassword(), Duration.ofSeconds(20));
  }

  @Override
  public void configure(GatewayConfig config, Clock clock, Vertx vertx) {
    options = optionsOf.apply(config);
    // the first identity now (start-up may block); the daily ones on a worker, never on an event loop
    identities = new DtlsIdentities(clock, now -> DtlsIdentity.generate(random, now),
        task -> vertx.executeBlocking(() -> {
          task.run();
          return null;
        }, false));
  }

  DtlsIdentities identities() {
    return identities;
  }

  public Options options() {
    return options;
  }

  /** The URL browsers connect to (ws:// or wss://), once listening. */
  public Optional<String> webSocketUrl() {
    int p = port;
    if (p < 0) return Optional.empty();
    String h = host.contains(":") ? "[" + host + "]" : host;
    return Optional.of((options.secure() ? "wss://" : "ws://") + h + ":" + p);
  }

  /** The SIP domain of browser callers (the gateway's SIP host). */
  public Optional<String> domain() {
    return Optional.ofNullable(host);
  }

  /** The DTLS certificate's fingerprint that a call answered now gets. */
  public Fingerprint fingerprint() {
    return identities.forNewCall().fingerprint();
  }

  @Override
  public void configureStack(Properties p, Consumer<String> flowClosed) {
    WebSocketFlows previous = flows;
    if (previous != null) previous.uninstall(); // a stack that failed before listening (SipEndpoint tries ports)
    WebSocketFlows f = new WebSocketFlows(flowClosed);
    f.install(p);
    flows = f;
    if (options.secure()) {
      p.setProperty("javax.net.ssl.keyStore", options.keyStore().get().toString());
      p.setProperty("javax.net.ssl.keyStorePassword", options.keyStorePassword());
      p.setProperty("javax.net.ssl.keyStoreType", options.keyStore().get().toString().endsWith(".jks") ? "JKS" : "PKCS12");
      // browsers present no client certificate
      p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
      p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2,TLSv1.3");
      p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(" ",
          "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
    }
  }

  @Override
  public void listen(SipStack stack, SipProvider provider, String host) throws Exception {
    try {
      listenOn(stack, provider, host);
    } finally {
      WebSocketFlows f = flows;
      if (f != null) f.uninstall();
    }
  }

  private void listenOn(SipStack stack, SipProvider provider, String host) throws Exception {
    String transport = options.secure() ? "WSS" : "WS";
    Exception last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
      int candidate = options.webSocketPort() != 0 ? options.webSocketPort() : freeTcpPort(host);
      try {
        ListeningPoint lp = stack.createListeningPoint(host, candidate, transport);
        provider.addListeningPoint(lp);
        this.host = host;
        this.port = candidate;
        return;
      } catch (Exception e) {
        last = e;
        if (options.webSocketPort() != 0) break;
      }
    }
    throw new IOException("cannot listen for SIP over " + transport + " on " + host, last);
  }

  private static int freeTcpPort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    }
  }

  @Override
  public boolean flowOpen(String flow) {
    WebSocketFlows f = flows;
    return f != null && f.isOpen(flow);
  }

  /** Browser WebSocket connections open now. */
  public int openConnections() {
    WebSocketFlows f = flows;
    return f == null ? 0 : f.openCount();
  }

  @Override
  public boolean isBrowserTransport(String transport) {
    return "ws".equalsIgnoreCase(transport) || "wss".equalsIgnoreCase(transport);
  }

  @Override
  public String refusal(String offerSdp) {
    WebRtcOffer offer = WebRtcOffer.parse(offerSdp);
    return offer.ok() ? null : offer.check().words;
  }

  @Override
  public Future<Leg> open(Vertx vertx, PortPool ports, MediaCounters counters, String host, String offerSdp) {
    WebRtcOffer offer = WebRtcOffer.parse(offerSdp);
    if (!offer.ok()) return Future.failedFuture(new IllegalArgumentException(offer.check().words));
    return WebRtcLeg.open(vertx, ports, counters, identities.forNewCall(), host, offer, random)
        .map(leg -> {
          legOpened.accept(leg);
          return new Adapter(vertx, leg, options.handshakeTimeout());
        });
  }

  /** Tells {@code observer} of every leg opened from now on (tests check where their media went). */
  void observeLegs(Consumer<WebRtcLeg> observer) {
    legOpened = Objects.requireNonNull(observer, "observer");
  }

  @Override
  public List<String> banner() {
    Optional<String> url = webSocketUrl();
    if (url.isEmpty()) return List.of();
    String line = "Browsers:  " + url.get() + " (SIP over " + (options.secure() ? "WSS" : "WS") + ", RFC 7118)";
    if (!options.secure() && !isLoopback(host)) line += " - not loopback: configure a TLS key store for WSS";
    return List.of(line);
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }

  /** The leg as the B2BUA sees it; the handshake has a deadline so a silent browser cannot hold a call. */
  private static final class Adapter implements Leg {
    private final WebRtcLeg leg;
    private final Promise<Boolean> secured = Promise.promise();

    Adapter(Vertx vertx, WebRtcLeg leg, Duration timeout) {
      this.leg = leg;
      long timer = vertx.setTimer(timeout.toMillis(), id -> secured.tryComplete(false));
      leg.secured().onComplete(ar -> {
        vertx.cancelTimer(timer);
        secured.tryComplete(ar.succeeded() && ar.result() == DtlsOutcome.OK);
      });
    }

    @Override public String plainSdp() { return leg.plainSdp(1, 1); }
    @Override public String answerSdp(long sessionId, long version, String direction) {
      return leg.answerSdp(sessionId, version, direction);
    }
    @Override public String reofferRefusal(String offerSdp) { return leg.reofferRefusal(WebRtcOffer.parse(offerSdp)); }
    @Override public void relayAt(String host, int port) { leg.relay(host, port); }
    @Override public Future<Boolean> secured() { return secured.future(); }
    @Override public void close() {
      leg.close();
      secured.tryComplete(false);
    }
  }
}

package dev.mileage.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * Who may read {@code /metrics}, which tells account counts, queue depths and call rates. With a token, the
 * caller presents {@code Authorization: Bearer <token>} (what Prometheus sends with {@code authorization:
 * credentials_file}); wrong tokens count against the source in the operators' {@link FailureLimiter}. Without a
 * token, only a direct TCP peer on loopback that is no trusted proxy and forwards nobody: forwarding headers are
 * never believed here, since a proxy on the same host makes every caller look local. Every refusal is counted in
 * {@code gateway_metrics_refused_total{status}} (401 no or wrong token, 403 not a local scraper, 429 locked out), which
 * the next successful scrape reports.
 */
final class MetricsAccess implements Handler<RoutingContext> {
  static final String CHALLENGE = "Bearer realm=\"metrics\"";
  static final String TOKEN_REQUIRED = "a bearer token is required for /metrics";
  static final String TOKEN_REFUSED = "invalid metrics token";
  static final String LOOPBACK_ONLY = "/metrics answers loopback peers only unless --metrics-token is set";
  static final String LOCKED = "too many failed attempts; try again later";
  /** Headers a proxy adds; a loopback peer sending one is relaying someone else. */
  static final List<String> PROXY_HEADERS = List.of(ClientAddress.FORWARDED_FOR, ClientAddress.FORWARDED, "X-Real-IP");

  /** SHA-256 of the token: what is compared (equal lengths, in constant time), and all this object keeps. */
  private final Optional<byte[]> tokenDigest;
  private final TrustedProxies proxies;
  private final FailureLimiter limiter;
  private final io.micrometer.core.instrument.MeterRegistry metrics;

  MetricsAccess(Optional<String> token, TrustedProxies proxies, FailureLimiter limiter,
                io.micrometer.core.instrument.MeterRegistry metrics) {
    this.tokenDigest = token.map(MetricsAccess::sha256);
    this.proxies = proxies;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  private void count(int status) {
    metrics.counter("gateway_metrics_refused", "status", Integer.toString(status)).increment();
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-store");
    if (tokenDigest.isPresent()) checkToken(ctx, tokenDigest.get());
    else checkLoopback(ctx);
  }

  private void checkToken(RoutingContext ctx, byte[] expected) {
    String source = ClientAddress.of(ctx);
    if (!limiter.sourceAllowed(source)) {
      ctx.response().putHeader("Retry-After", "60");
      count(429);
      Errors.send(ctx, 429, "too_many_attempts", LOCKED);
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(ctx, TOKEN_REQUIRED);
      return;
    }
    byte[] presented = sha256(header.substring(7).strip());
    if (!MessageDigest.isEqual(expected, presented)) {
      limiter.recordSourceFailure(source);
      refuse(ctx, TOKEN_REFUSED);
      return;
    }
    ctx.next();
  }

  private void refuse(RoutingContext ctx, String reason) {
    count(401);
    ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
    Errors.send(ctx, 401, "unauthorized", reason);
  }

  private void checkLoopback(RoutingContext ctx) {
    SocketAddress peer = ctx.request().remoteAddress();
    if (!localScraper(peer == null ? null : peer.hostAddress(), proxies, ctx.request().headers())) {
      count(403);
      Errors.forbidden(ctx, LOOPBACK_ONLY);
      return;
    }
    ctx.next();
  }

  /**
   * Whether a request from this direct TCP peer, with these headers, is a scraper on this host: the peer is a
   * loopback address (127.0.0.0/8, ::1, IPv4-mapped loopback), is no trusted proxy and relays nobody.
   */
  static boolean localScraper(String peerHost, TrustedProxies proxies, MultiMap headers) {
    if (peerHost == null) return false;
    boolean loopback = TrustedProxies.literal(peerHost).map(InetAddress::isLoopbackAddress).orElse(false);
    return loopback && !proxies.contains(peerHost) && PROXY_HEADERS.stream().noneMatch(headers::contains);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}

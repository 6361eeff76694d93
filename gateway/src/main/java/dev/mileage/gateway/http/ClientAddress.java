package dev.mileage.gateway.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The address per-source limits key on. It is the TCP peer's IP address ("unknown" when the server has none), unless
 * the peer is one of the operator's {@link TrustedProxies}: then it is the right-most address of the header those
 * proxies write ({@code X-Forwarded-For}, or RFC 7239 {@code Forwarded}'s {@code for=}; {@link TrustedProxies#header})
 * that is not itself a trusted proxy (everything left of it was written by the client, so it is never believed).
 * The other header is never read: a proxy passes on whatever the client sent in the header it does not write. A
 * header that is missing, malformed or too long from a trusted proxy gives the peer's address, so it can neither
 * fail a request nor escape a limit. In {@code Forwarded}, a hop the proxy would not name ({@code for=unknown}, an
 * obfuscated {@code _identifier}, no {@code for=}) ends the walk at the trusted proxy that received from it.
 *
 * <p>{@link #resolver} works it out once per request, first thing on the router; {@link #of} reads it.
 */
public final class ClientAddress {
  public static final String FORWARDED_FOR = "X-Forwarded-For";
  /** RFC 7239. */
  public static final String FORWARDED = "Forwarded";
  /** Addresses looked at from the right of X-Forwarded-For: more proxies in a row than this is not a real chain. */
  public static final int FORWARDED_HOPS_MAX = 16;
  static final String KEY = "mileage.clientAddress";

  private ClientAddress() {
  }

  /** The router's first handler: the request's client address under {@code proxies}, kept for {@link #of}. */
  public static Handler<RoutingContext> resolver(TrustedProxies proxies) {
    return ctx -> {
      ctx.put(KEY, resolve(ctx.request(), proxies));
      ctx.next();
    };
  }

  /** The request's client address ({@link #resolver} ran first on every route; the peer's otherwise). */
  public static String of(RoutingContext ctx) {
    String known = ctx.get(KEY);
    return known != null ? known : peer(ctx.request());
  }

  static String resolve(HttpServerRequest request, TrustedProxies proxies) {
    String peer = peer(request);
    if (proxies.isEmpty() || !proxies.contains(peer)) return peer;
    return switch (proxies.header()) {
      case X_FORWARDED_FOR -> fromForwardedFor(request.headers().getAll(FORWARDED_FOR), proxies).orElse(peer);
      case FORWARDED -> fromForwarded(request.headers().getAll(FORWARDED), proxies).orElse(peer);
    };
  }

  /**
   * The right-most address of these X-Forwarded-For header values (in order: each proxy appends) that is not a
   * trusted proxy, in its canonical text; empty when there is none, or an entry met on the way is not an IP address.
   */
  static java.util.Optional<String> fromForwardedFor(List<String> values, TrustedProxies proxies) {
    if (values.isEmpty()) return java.util.Optional.empty();
    String[] hops = String.join(",", values).split(",", -1);
    String leftmostTrusted = null;
    for (int i = hops.length - 1, seen = 0; i >= 0 && seen < FORWARDED_HOPS_MAX; i--, seen++) {
      var address = TrustedProxies.literal(hops[i].strip());
      if (address.isEmpty()) return java.util.Optional.empty();
      String canonical = address.get().getHostAddress();
      if (!proxies.contains(canonical)) return java.util.Optional.of(canonical);
      leftmostTrusted = canonical;
    }
    // every hop a trusted proxy: the request began at one of them (a health check, say)
    return hops.length <= FORWARDED_HOPS_MAX ? java.util.Optional.ofNullable(leftmostTrusted) : java.util.Optional.empty();
  }

  /**
   * The right-most {@code for=} address of these RFC 7239 {@code Forwarded} header values that is not a trusted proxy,
   * in canonical text (port dropped). A hidden hop ({@code unknown}, {@code _obfuscated}, no {@code for=}) stops the
   * walk at the last trusted proxy passed, which received the request from it (empty when that is the peer itself).
   * Empty too when there are no elements, an element met on the way is malformed, or the chain is longer than
   * {@link #FORWARDED_HOPS_MAX}, all of it trusted proxies.
   */
  static java.util.Optional<String> fromForwarded(List<String> values, TrustedProxies proxies) {
    var parsed = ForwardedHeader.elements(values);
    if (parsed.isEmpty() || parsed.get().isEmpty()) return java.util.Optional.empty();
    List<String> elements = parsed.get();
    String leftmostTrusted = null;
    for (int i = elements.size() - 1, seen = 0; i >= 0 && seen < FORWARDED_HOPS_MAX; i--, seen++) {
      var node = ForwardedHeader.forNode(elements.get(i));
      if (node.isEmpty()) return java.util.Optional.empty();
      if (!(node.get() instanceof ForwardedHeader.Address address)) return java.util.Optional.ofNullable(leftmostTrusted);
      if (!proxies.contains(address.address())) return java.util.Optional.of(address.address());
      leftmostTrusted = address.address();
    }
    return elements.size() <= FORWARDED_HOPS_MAX ? java.util.Optional.ofNullable(leftmostTrusted) : java.util.Optional.empty();
  }

  private static String peer(HttpServerRequest request) {
    var a = request.remoteAddress();
    return a == null || a.hostAddress() == null ? "unknown" : a.hostAddress();
  }
}

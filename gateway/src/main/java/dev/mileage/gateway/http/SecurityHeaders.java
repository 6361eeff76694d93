package dev.mileage.gateway.http;

import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/** Headers every answer carries: no sniffing, no framing, no referrer leaks, scripts only from here. */
final class SecurityHeaders {
  /** The page talks to its own origin only (HTTP, WebSocket for SIP and live balances). */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; "
      + "img-src 'self' data:; style-src 'self' 'unsafe-inline'; media-src 'self' blob:; frame-ancestors 'none'; "
      + "base-uri 'none'; form-action 'self'";

  private SecurityHeaders() {
  }

  static void apply(RoutingContext ctx) {
    MultiMap h = ctx.response().headers();
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    h.set("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)");
    ctx.next();
  }
}

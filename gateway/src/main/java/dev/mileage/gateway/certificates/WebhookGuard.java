package dev.mileage.gateway.certificates;

import dev.mileage.gateway.http.ClientAddress;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.Web;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/**
 * Bounds signature guessing at the provider webhooks (deposit notices, deposit-return settlement notices): notices
 * with a missing or bad signature are counted per source address, both routes together, and a source at the limit
 * is answered 429 with Retry-After before its signature is even checked, so nothing changes, until the window ends;
 * a well-signed notice from it is refused too (the provider posts it again later). Well-signed notices never count.
 * The source is the TCP peer: a proxy in front of the gateway is one source. Logs name the route and source, never
 * the body or the signature.
 */
final class WebhookGuard {
  private static final Logger LOG = Logger.getLogger(WebhookGuard.class.getName());
  static final String ROUTE_DEPOSIT = "deposit-notice";
  static final String ROUTE_SETTLEMENT = "return-settlement";

  private final GuessLimiter sources;
  private final int badSignaturesMax;
  private final MeterRegistry metrics;

  WebhookGuard(GuessLimiter sources, int badSignaturesMax, MeterRegistry metrics) {
    this.sources = sources;
    this.badSignaturesMax = badSignaturesMax;
    this.metrics = metrics;
  }

  /** A notice's body and signature, as the provider posted them; the signature is not checked yet. */
  record Notice(String body, String signature) {
  }

  /**
   * The intake both webhooks share, in this order: a limited source is answered 429; a missing or oversized
   * signature header is answered 401 and counted as a bad signature; an empty body or one over {@code bytesMax}
   * is a 400 ({@link IllegalArgumentException}, naming {@code what}). Null when the caller was answered.
   */
  Notice admit(RoutingContext ctx, String route, int bytesMax, String what) {
    if (refused(ctx, route)) return null;
    String signature = ctx.request().getHeader(BankTransferRoutes.SIGNATURE_HEADER);
    if (signature == null || signature.length() > SIGNATURE_CHARS_MAX) {
      badSignature(ctx, route);
      Web.error(ctx, 401, "bad_signature", "the notice needs the provider's signature in " + BankTransferRoutes.SIGNATURE_HEADER);
      return null;
    }
    var body = ctx.body().buffer();
    if (body == null || body.length() == 0 || body.length() > bytesMax) {
      throw new IllegalArgumentException(what + " is a JSON body of at most " + bytesMax + " bytes");
    }
    return new Notice(body.toString(), signature);
  }

  /** A signature header longer than this is not one (hex or base64 of an HMAC-SHA256 is far shorter). */
  static final int SIGNATURE_CHARS_MAX = 256;

  /** True when the caller's source is over its limit: then 429 was answered and the notice must not be looked at. */
  private boolean refused(RoutingContext ctx, String route) {
    String source = ClientAddress.of(ctx);
    long wait = sources.retryAfterSeconds(key(source));
    if (wait == 0) return false;
    metrics.counter("certificates_webhook_refused", "route", route).increment();
    LOG.fine(() -> "bank webhook " + route + " refused (429) from " + source + ": too many bad signatures, " + wait + " s left");
    ctx.response().putHeader("Retry-After", Long.toString(wait));
    Web.json(ctx, 429, new JsonObject().put("error", "too_many_bad_signatures").put("retryAfterSeconds", wait)
        .put("reason", "too many notices with a missing or bad signature came from this address; nothing was checked or"
            + " changed; post again in " + wait + " s"));
    return true;
  }

  /** Counts a notice whose signature was missing or not the provider's; logs once when its source becomes limited. */
  void badSignature(RoutingContext ctx, String route) {
    String source = ClientAddress.of(ctx);
    metrics.counter("certificates_webhook_bad_signatures", "route", route).increment();
    sources.recordFailure(key(source));
    long wait = sources.retryAfterSeconds(key(source));
    if (wait > 0) {
      // the failure that reached the limit (later ones are refused before they are counted): about one line per window
      LOG.warning("bank webhooks refuse " + source + " for " + wait + " s: " + badSignaturesMax
          + " notices with a bad signature (last at " + route + ")");
    }
  }

  private static String key(String source) {
    return "bank-webhook:" + source;
  }

}

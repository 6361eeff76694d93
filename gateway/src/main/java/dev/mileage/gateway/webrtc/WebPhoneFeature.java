package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.Errors;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.gateway.sip.SubscriberStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The member's web phone: {@code POST /api/v1/phone/credentials} gives the signed-in member a SIP
 * credential for the browser's SIP user agent (JsSIP over WebSocket). It is random, lives
 * {@link #CREDENTIAL_LIFETIME} (long enough to place one call; each call asks anew), belongs to the
 * member's ledger owner, and is held in memory as digest HA1s only. Asking is limited per member.
 */
public final class WebPhoneFeature implements Feature {
  public static final String NAME = "phone";
  /** How long an issued credential can start calls; an established call does not need it again. */
  public static final Duration CREDENTIAL_LIFETIME = Duration.ofMinutes(2);
  /** Credentials one member may ask for per {@link #ISSUE_WINDOW}; past it 429 with Retry-After. */
  public static final int ISSUES_PER_WINDOW_MAX = 10;
  public static final Duration ISSUE_WINDOW = Duration.ofMinutes(1);
  static final int LIMITED_MEMBERS_MAX = 100_000;

  private final SipFeature sip;
  private final WebRtcCalls calls;
  private final SecureRandom random = new SecureRandom();

  public WebPhoneFeature(SipFeature sip, WebRtcCalls calls) {
    this.sip = Objects.requireNonNull(sip, "sip");
    this.calls = Objects.requireNonNull(calls, "calls");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void mountApi(Router api, GatewayContext context) {
    GuessLimiter issued = new GuessLimiter(ISSUES_PER_WINDOW_MAX, ISSUE_WINDOW, LIMITED_MEMBERS_MAX, context.clock());
    SubscriberStore store = sip.subscribers(context);
    api.post("/phone/credentials").handler(ctx -> credentials(ctx, issued, store, context));
    exportMediaCounters(context.metrics());
  }

  /** The browser legs' pipeline counters in /metrics: mileage_webrtc_packets_total{node, outcome}. */
  private void exportMediaCounters(MeterRegistry metrics) {
    for (String node : WebRtcTopology.NODES) {
      for (String outcome : List.of("passed", "dropped")) {
        String key = node + "." + outcome;
        FunctionCounter.builder("mileage.webrtc.packets", sip, s -> s.service()
                .map(v -> v.mediaCounters().getOrDefault(key, 0L)).orElse(0L).doubleValue())
            .description("packets through a node of the browser media pipeline")
            .tag("node", node).tag("outcome", outcome).register(metrics);
      }
    }
  }

  private void credentials(RoutingContext ctx, GuessLimiter issued, SubscriberStore store, GatewayContext context) {
    Optional<Caller> caller = Caller.of(ctx);
    if (caller.isEmpty()) {
      Errors.send(ctx, 401, "unauthorized", "sign in first");
      return;
    }
    if (caller.get().kind() != Caller.Kind.MEMBER) {
      Errors.forbidden(ctx, "the web phone is for members");
      return;
    }
    String owner = caller.get().owner();
    long wait = issued.retryAfterSeconds(owner);
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      Errors.send(ctx, 429, "too_many_requests", "too many phone sign-ins; try again in " + wait + " s");
      return;
    }
    Optional<String> url = calls.webSocketUrl();
    Optional<String> domain = calls.domain();
    if (url.isEmpty() || domain.isEmpty() || sip.service().isEmpty()) {
      ctx.response().putHeader("Retry-After", "5");
      Errors.send(ctx, 503, "phone_unavailable", "the phone service is starting or not configured");
      return;
    }
    issued.recordFailure(owner); // counts an issue, not a failure: the limiter is a fixed-window counter
    Optional<SubscriberStore.Temporary> t = store.issueTemporary(owner, CREDENTIAL_LIFETIME, random);
    if (t.isEmpty()) {
      ctx.response().putHeader("Retry-After", "30");
      Errors.send(ctx, 503, "phone_busy", "too many phones signed in right now; try again shortly");
      return;
    }
    SubscriberStore.Temporary cred = t.get();
    JsonObject body = new JsonObject()
        .put("username", cred.username())
        .put("password", cred.password())
        .put("uri", "sip:" + cred.username() + "@" + domain.get())
        .put("domain", domain.get())
        .put("webSocketUrl", url.get())
        .put("expiresAt", cred.expiresAt().toString())
        .put("expiresInSeconds", CREDENTIAL_LIFETIME.toSeconds());
    ctx.response().putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body.encode());
  }
}

package dev.mileage.gateway.members;

import dev.mileage.gateway.http.ClientAddress;
import dev.mileage.gateway.GatewayConfig;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.logging.Logger;

/**
 * Members: sign-up, phone verification by SMS, sign-in/out with server-side sessions, profile, password.
 * Public routes (no caller yet) are at the root under {@code /auth}; the member's own data under
 * {@code /api/v1/members/me}. A member only ever reaches their own row: ids come from the session.
 */
public final class MembersFeature implements Feature {
  private static final Logger LOG = Logger.getLogger(MembersFeature.class.getName());
  private final MembersOptions options;
  private final PasswordHasher hasher;
  private MemberService members;
  private SessionService sessions;
  private SmsSender sms;
  private boolean secureCookies;
  private GuessLimiter signUps;
  /** Argon2 hashes per signed-in member and per sign-in source: in memory, since they bound CPU, not guessing. */
  private GuessLimiter memberHashes;
  private GuessLimiter sourceHashes;

  public MembersFeature() {
    this(MembersOptions.defaults(), PasswordHasher.OWASP);
  }

  public MembersFeature(MembersOptions options, PasswordHasher hasher) {
    this.options = options;
    this.hasher = hasher;
  }

  @Override
  public String name() {
    return "members";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  /** Makes the services once, before routes are mounted. */
  @Override
  public void start(GatewayContext ctx) {
    sms = makeSender(options.smscUri().isEmpty() ? smscBesideTrunk(ctx.config().trunkUri()) : options.smscUri(),
        ctx.config().localAddress());
    GuessLimiter sources = GuessLimiter.persistent("members.source", options.sourceFailuresMax(), options.guessWindow(),
        MembersOptions.LIMITER_KEYS_MAX, ctx.clock(), ctx.pool());
    LedgerAccess accounts = new LedgerAccess(ctx.ledger(), ctx.vertx());
    members = new MemberService(ctx.vertx(), ctx.pool(), ctx.clock(), options, hasher, sms, accounts, sources);
    sessions = new SessionService(ctx.vertx(), ctx.pool(), ctx.clock(), options, hasher, sources, members);
    secureCookies = secureCookies(options, ctx.config());
    // counts sign-ups, not failures: the limiter is a persistent fixed-window counter
    signUps = GuessLimiter.persistent("members.sign_up_source", MembersOptions.SIGN_UPS_PER_SOURCE_MAX,
        MembersOptions.SIGN_UP_WINDOW, MembersOptions.LIMITER_KEYS_MAX, ctx.clock(), ctx.pool());
    memberHashes = new GuessLimiter(options.hashesPerMemberMax(), options.hashWindow(), MembersOptions.LIMITER_KEYS_MAX,
        ctx.clock());
    sourceHashes = new GuessLimiter(options.hashesPerSourceMax(), options.hashWindow(), MembersOptions.LIMITER_KEYS_MAX,
        ctx.clock());
  }

  /**
   * Whether session cookies carry {@code Secure}: always in production, where the pages are served over
   * HTTPS (by a TLS-terminating proxy in front of the gateway), so the session never travels in clear;
   * the demo on {@code http://127.0.0.1} cannot, because a browser drops a Secure cookie set over HTTP.
   */
  static boolean secureCookies(MembersOptions options, GatewayConfig config) {
    return options.secureCookies() || config.production();
  }

  private boolean secure(RoutingContext ctx) {
    return secureCookies || ctx.request().isSSL();
  }

  /**
   * Without MILEAGE_SMSC_URI, SMS go to the trunk's host and port ({@code sip:smsc@host:port}): the simulated
   * PSTN of the demo answers MESSAGE there, as many operators' interconnects do.
   */
  static String smscBesideTrunk(String trunkUri) {
    int at = trunkUri.indexOf('@');
    if (!trunkUri.startsWith("sip:") || at < 0) return "";
    String hostPort = trunkUri.substring(at + 1).split(";", 2)[0];
    return "sip:smsc@" + hostPort;
  }

  @Override
  public List<io.vertx.core.Deployable> verticles(GatewayContext ctx) {
    // owns the SMS sender's SIP stack, so stopping the gateway releases its port and threads
    return List.of(new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> stop() {
        sms.close();
        return Future.succeededFuture();
      }
    });
  }

  private static SmsSender makeSender(String smscUri, String localAddress) {
    if (smscUri.isEmpty()) {
      LOG.warning("no SMSC configured (MILEAGE_SMSC_URI): verification codes cannot be sent");
      return (to, text) -> Future.succeededFuture(SmsSender.Result.UNREACHABLE);
    }
    try {
      return new SipSmsSender(smscUri, localAddress);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the SMS sender", e);
    }
  }

  public MemberService members() {
    return members;
  }

  public SessionService sessions() {
    return sessions;
  }

  @Override
  public List<Authenticator> authenticators(GatewayContext ctx) {
    return List.of(new SessionAuthenticator(sessions));
  }

  @Override
  public void mountRoot(Router root, GatewayContext ctx) {
    root.get("/auth/session").handler(Web.handle(this::session));
    root.post("/auth/sign-up").handler(Web.handle(this::signUp));
    root.post("/auth/verify-phone").handler(Web.handle(this::verifyPhone));
    root.post("/auth/resend-code").handler(Web.handle(this::resendCode));
    root.post("/auth/sign-in").handler(Web.handle(this::signIn));
    root.post("/auth/sign-out").handler(Web.handle(this::signOut));
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    api.get("/members/me").handler(Web.handle(this::me));
    api.patch("/members/me").handler(Web.handle(this::updateMe));
    api.post("/members/me/password").handler(Web.handle(this::changePassword));
    api.post("/members/me/phone").handler(Web.handle(this::changePhone));
    api.post("/members/me/phone/verify").handler(Web.handle(this::confirmPhone));
    api.get("/members/:id").handler(Web.handle(this::other));
  }

  private void signUp(RoutingContext ctx) {
    SignUp s = SignUp.from(Web.body(ctx));
    String source = ClientAddress.of(ctx);
    long wait = signUps.retryAfterSeconds(source);
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      Web.error(ctx, 429, "too_many_sign_ups", "too many sign-ups from this address; try again in " + wait + " seconds");
      return;
    }
    signUps.recordFailure(source);
    members.signUp(s).onSuccess(c -> {
      if (c.result() == MemberService.SignUpResult.LOGIN_TAKEN) {
        Web.error(ctx, 409, "login_taken", "that login id is taken; choose another");
      } else {
        Web.json(ctx, 201, new JsonObject().put("memberId", c.memberId()).put("codeSent", c.smsSent())
            .put("signUpBonusMileage", options.signUpBonusMileage()));
      }
    }).onFailure(ctx::fail);
  }

  private void verifyPhone(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String login = SignUp.normalizeLogin(Web.requireText(b, "loginId", 64));
    String code = Web.requireText(b, "code", 12);
    members.verifyPhone(login, code, ClientAddress.of(ctx)).onSuccess(r -> {
      switch (r) {
        case VERIFIED -> Web.json(ctx, 200, new JsonObject().put("verified", true)
            .put("bonusMileage", options.signUpBonusMileage()));
        case ALREADY_VERIFIED -> Web.json(ctx, 200, new JsonObject().put("verified", true).put("bonusMileage", 0));
        case WRONG_CODE -> Web.error(ctx, 400, "wrong_code", "the code is not right");
        case EXPIRED -> Web.error(ctx, 400, "code_expired", "the code has expired; ask for a new one");
        case TOO_MANY_ATTEMPTS -> Web.error(ctx, 429, "too_many_attempts", "too many wrong codes; ask for a new one");
        case THROTTLED -> Web.error(ctx, 429, "too_many_attempts", "too many attempts from here; try later");
        case PHONE_TAKEN -> Web.error(ctx, 409, "phone_taken", "this phone number belongs to another member");
      }
    }).onFailure(ctx::fail);
  }

  private void resendCode(RoutingContext ctx) {
    String login = SignUp.normalizeLogin(Web.requireText(Web.body(ctx), "loginId", 64));
    members.resend(login).onSuccess(r -> {
      switch (r) {
        // an unknown or already verified login answers like a sent code, so this cannot probe for members
        case SENT, UNKNOWN -> Web.json(ctx, 202, new JsonObject().put("codeSent", true));
        case TOO_SOON -> Web.error(ctx, 429, "too_soon", "wait a minute before asking for another code");
        case SMS_FAILED -> Web.error(ctx, 503, "sms_unavailable", "the SMS could not be sent; try later");
      }
    }).onFailure(ctx::fail);
  }

  private void signIn(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String login = b.getValue("loginId") instanceof String s ? s : null;
    String password = b.getValue("password") instanceof String s ? s : null;
    String source = ClientAddress.of(ctx);
    if (!Web.hashingAllowed(ctx, sourceHashes, source, 1, "too many sign-ins from this address")) return;
    sessions.signIn(login, password, source).onSuccess(r -> {
      switch (r.result()) {
        case OK -> {
          Cookie cookie = Cookie.cookie(SessionService.COOKIE, r.token()).setPath("/").setHttpOnly(true)
              .setSameSite(CookieSameSite.STRICT).setSecure(secure(ctx));
          ctx.response().addCookie(cookie);
          Web.json(ctx, 200, new JsonObject().put("memberId", r.memberId()).put("csrfToken", r.csrfToken()));
        }
        case INVALID -> Web.error(ctx, 401, "invalid_credentials", "login id or password is wrong");
        case THROTTLED -> {
          ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
          Web.error(ctx, 429, "too_many_attempts", "too many failed sign-ins; try again in "
              + r.retryAfterSeconds() + " seconds");
        }
      }
    }).onFailure(ctx::fail);
  }

  private void signOut(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SessionService.COOKIE);
    String token = cookie == null ? null : cookie.getValue();
    sessions.lookup(token).compose(s -> {
      if (s != null && !SessionAuthenticator.sameToken(ctx.request().getHeader(SessionService.CSRF_HEADER), s.csrfToken())) {
        return Future.succeededFuture(false);
      }
      return sessions.signOut(token).map(true);
    }).onSuccess(ok -> {
      if (!ok) {
        Web.error(ctx, 403, "csrf", "missing or wrong CSRF token");
        return;
      }
      ctx.response().addCookie(Cookie.cookie(SessionService.COOKIE, "").setPath("/").setMaxAge(0).setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(secure(ctx)));
      Web.json(ctx, 200, new JsonObject().put("signedOut", true));
    }).onFailure(ctx::fail);
  }

  /** Whether this browser is signed in, without a 401 (which would make browsers offer a password dialog). */
  private void session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(SessionService.COOKIE);
    sessions.lookup(cookie == null ? null : cookie.getValue()).onSuccess(s -> Web.json(ctx, 200, s == null
        ? new JsonObject().put("signedIn", false)
        : new JsonObject().put("signedIn", true).put("memberId", s.memberId()).put("csrfToken", s.csrfToken())))
        .onFailure(ctx::fail);
  }

  /** The member's own id, or answers 403 (operators and others have no member profile). */
  static Long memberId(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, c == null ? 401 : 403, c == null ? "unauthorized" : "forbidden", "members only; sign in");
      return null;
    }
    return Long.parseLong(c.id());
  }

  private void me(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    Cookie cookie = ctx.request().getCookie(SessionService.COOKIE);
    sessions.lookup(cookie == null ? null : cookie.getValue())
        .compose(s -> members.profile(id).map(p -> p == null ? null : p.put("csrfToken", s == null ? null : s.csrfToken())))
        .onSuccess(p -> {
          if (p == null) Web.error(ctx, 404, "not_found", "no such member");
          else Web.json(ctx, 200, p);
        }).onFailure(ctx::fail);
  }

  private void updateMe(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    members.updateProfile(id, Web.optionalText(b, "name", SignUp.NAME_LENGTH_MAX),
            Web.optionalText(b, "address", SignUp.ADDRESS_LENGTH_MAX), Web.optionalText(b, "occupation", SignUp.NAME_LENGTH_MAX))
        .compose(ok -> members.profile(id)).onSuccess(p -> Web.json(ctx, 200, p)).onFailure(ctx::fail);
  }

  private void changePassword(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    String next = b.getValue("newPassword") instanceof String s ? s : null;
    SignUp.requirePassword(next);
    // the current password is verified and the new one hashed: two
    if (!Web.hashingAllowed(ctx, memberHashes, "member:" + id, 2, "too many password checks for this account")) return;
    Cookie cookie = ctx.request().getCookie(SessionService.COOKIE);
    sessions.changePassword(id, cookie == null ? null : cookie.getValue(),
            b.getValue("currentPassword") instanceof String s ? s : null, next, ClientAddress.of(ctx))
        .onSuccess(r -> {
          if (r == SessionService.PasswordChange.CHANGED) Web.json(ctx, 200, new JsonObject().put("changed", true));
          else Web.error(ctx, 403, "wrong_password", "the current password is wrong");
        }).onFailure(ctx::fail);
  }

  /** Step one of a phone number change: the password again, then a code to the new number. */
  private void changePhone(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    String phone = Web.requireText(b, "phone", 16);
    SignUp.requirePhone(phone);
    String password = b.getValue("password") instanceof String s ? s : null;
    if (!Web.hashingAllowed(ctx, memberHashes, "member:" + id, 1, "too many password checks for this account")) return;
    sessions.checkPassword(id, password, ClientAddress.of(ctx)).compose(ok -> ok
            ? members.startPhoneChange(id, phone) : Future.succeededFuture((MemberService.PhoneChangeStart) null))
        .onSuccess(r -> {
          if (r == null) {
            Web.error(ctx, 403, "wrong_password", "the password is wrong");
            return;
          }
          switch (r) {
            case SENT -> Web.json(ctx, 202, new JsonObject().put("codeSent", true).put("phone", phone));
            case SAME_NUMBER -> Web.error(ctx, 400, "same_number", "that is already your phone number");
            case NOT_VERIFIED -> Web.error(ctx, 409, "phone_not_verified", "verify your current number first");
            case TOO_SOON -> Web.error(ctx, 429, "too_soon", "wait a minute before asking for another code");
            case SMS_FAILED -> Web.error(ctx, 502, "sms_failed", "the code could not be sent; try again later");
          }
        }).onFailure(ctx::fail);
  }

  /** Step two: the code that went to the new number; the number changes only now. */
  private void confirmPhone(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    String code = Web.requireText(Web.body(ctx), "code", 12);
    members.confirmPhoneChange(id, code, ClientAddress.of(ctx)).onSuccess(r -> {
      switch (r) {
        case CHANGED -> members.profile(id).onSuccess(p -> Web.json(ctx, 200, p)).onFailure(ctx::fail);
        case NOTHING_PENDING -> Web.error(ctx, 409, "nothing_pending", "no phone number change is waiting; start one first");
        case WRONG_CODE -> Web.error(ctx, 400, "wrong_code", "the code is not right");
        case EXPIRED -> Web.error(ctx, 400, "code_expired", "the code has expired; start the change again");
        case TOO_MANY_ATTEMPTS -> Web.error(ctx, 429, "too_many_attempts", "too many wrong codes; start the change again");
        case THROTTLED -> Web.error(ctx, 429, "too_many_attempts", "too many attempts from here; try later");
        case PHONE_TAKEN -> Web.error(ctx, 409, "phone_taken", "this phone number belongs to another member");
      }
    }).onFailure(ctx::fail);
  }

  /** Another member's profile is never shown; the same answer whether or not that member exists. */
  private void other(RoutingContext ctx) {
    Long id = memberId(ctx);
    if (id == null) return;
    if (!Long.toString(id).equals(ctx.pathParam("id"))) {
      Web.error(ctx, 403, "forbidden", "members see only their own data");
      return;
    }
    members.profile(id).onSuccess(p -> Web.json(ctx, 200, p)).onFailure(ctx::fail);
  }

}

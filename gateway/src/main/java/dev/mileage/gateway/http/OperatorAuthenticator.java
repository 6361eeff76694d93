package dev.mileage.gateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mileage.gateway.members.GuessLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.sqlclient.Pool;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * HTTP Basic for operators against {@code gateway.operators}. Unknown user and wrong password take the
 * same time (a dummy hash is verified) and get the same answer. Verified credentials are remembered for
 * {@link #VERIFIED_TTL} under a keyed MAC of the password (never the password), so a busy operator client
 * does not pay one Argon2 per request; a changed password takes effect after that time at most.
 */
public final class OperatorAuthenticator implements Authenticator {
  public static final Duration VERIFIED_TTL = Duration.ofSeconds(60);
  public static final int VERIFIED_MAX = 1_000;
  /** Argon2 verifications running at once; each takes ~19 MiB and tens of ms, so past this: 503. */
  public static final int VERIFICATIONS_IN_FLIGHT_MAX = 8;
  static final String REFUSED = "invalid credentials";
  static final String UNAVAILABLE = "credentials cannot be checked right now; try again shortly";
  static final String BUSY = "too many sign-ins at once; try again shortly";
  static final String LOCKED = "too many failed attempts; try again later";

  private final OperatorStore store;
  private final Vertx vertx;
  private final FailureLimiter limiter;
  /** Failures per user name that survive a restart (the in-memory limiter above does not). */
  private final GuessLimiter persistentUsers;
  private final Cache<String, Caller> verified;
  private final byte[] macKey = new byte[32];
  private final String dummyHash;
  private final java.util.Map<String, Future<Caller>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger verificationsInFlight = new java.util.concurrent.atomic.AtomicInteger();

  public OperatorAuthenticator(OperatorStore store, Vertx vertx, Clock clock, Pool pool) {
    this(store, vertx, clock, pool, new FailureLimiter(clock));
  }

  /** With a limiter shared with other operator credentials (the metrics token), so guesses add up per source. */
  public OperatorAuthenticator(OperatorStore store, Vertx vertx, Clock clock, Pool pool, FailureLimiter limiter) {
    this.store = store;
    this.vertx = vertx;
    this.limiter = java.util.Objects.requireNonNull(limiter, "limiter");
    this.persistentUsers = GuessLimiter.persistent("operators.user", FailureLimiter.USER_FAILURES_MAX, FailureLimiter.LOCKOUT,
        FailureLimiter.TRACKED_USERS_MAX, clock, pool);
    this.verified = Caffeine.newBuilder().maximumSize(VERIFIED_MAX).expireAfterWrite(VERIFIED_TTL)
        .ticker(() -> clock.millis() * 1_000_000L).build();
    new SecureRandom().nextBytes(macKey);
    this.dummyHash = PasswordHasher.hash(Base64.getEncoder().encodeToString(macKey));
  }

  @Override
  public Future<Caller> authenticate(HttpServerRequest request, String source) {
    String header = request.getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return Future.succeededFuture(null);
    Optional<String[]> credentials = decode(header.substring(6).trim());
    if (credentials.isEmpty()) return Future.failedFuture(new AuthenticationException(401, REFUSED));
    String user = credentials.get()[0];
    String password = credentials.get()[1];
    if (!limiter.allowed(source, user) || persistentUsers.retryAfterSeconds(user) > 0) {
      return Future.failedFuture(new AuthenticationException(429, LOCKED));
    }
    String cacheKey = user + '\0' + mac(password);
    Caller known = verified.getIfPresent(cacheKey);
    if (known != null) return Future.succeededFuture(known);
    if (password.length() > PasswordHasher.PASSWORD_LENGTH_MAX || user.length() > 64) {
      recordFailure(source, user);
      return Future.failedFuture(new AuthenticationException(401, REFUSED));
    }
    // a client opening many connections at once presents the same credentials on each: verify them once
    Future<Caller> same = inFlight.get(cacheKey);
    if (same != null) return same;
    if (verificationsInFlight.incrementAndGet() > VERIFICATIONS_IN_FLIGHT_MAX) {
      verificationsInFlight.decrementAndGet();
      return Future.failedFuture(new AuthenticationException(503, BUSY));
    }
    io.vertx.core.Promise<Caller> promise = io.vertx.core.Promise.promise();
    inFlight.put(cacheKey, promise.future());
    verify(source, user, password, cacheKey).onComplete(done -> {
      inFlight.remove(cacheKey);
      verificationsInFlight.decrementAndGet();
      promise.handle(done);
    });
    return promise.future();
  }

  private void recordFailure(String source, String user) {
    limiter.recordFailure(source, user);
    persistentUsers.recordFailure(user);
  }

  private Future<Caller> verify(String source, String user, String password, String cacheKey) {
    return store.find(user)
        .recover(e -> Future.failedFuture(new AuthenticationException(503, UNAVAILABLE)))
        .compose(operator -> vertx.executeBlocking(() -> {
      boolean ok = PasswordHasher.verify(password, operator.map(OperatorStore.Operator::passwordHash).orElse(dummyHash));
      return ok && operator.isPresent();
    }, false).compose(ok -> {
      if (!ok) {
        recordFailure(source, user);
        return Future.failedFuture(new AuthenticationException(401, REFUSED));
      }
      limiter.recordSuccess(user);
      persistentUsers.reset(user);
      Caller caller = new Caller(Caller.Kind.OPERATOR, user, operator.get().roles());
      verified.put(cacheKey, caller);
      return Future.succeededFuture(caller);
    }));
  }

  private static Optional<String[]> decode(String base64) {
    try {
      String decoded = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      if (colon <= 0) return Optional.empty();
      return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private String mac(String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}

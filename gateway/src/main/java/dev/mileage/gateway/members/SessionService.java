package dev.mileage.gateway.members;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * Sign-in, sign-out, password change and session lookup. A session is a random 256-bit cookie value of
 * which only the SHA-256 is stored; it ends after {@code sessionIdle} without use or {@code sessionAbsolute}
 * after sign-in. Guessing is limited per login id (known or not, so the answers never tell which) and per
 * source address.
 */
public final class SessionService {
  public static final String COOKIE = "mg_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** last_seen_at is written at most this often, so reading pages does not write on every request. */
  private static final Duration TOUCH_INTERVAL = Duration.ofSeconds(60);

  public enum SignInResult { OK, INVALID, THROTTLED }

  public record SignIn(SignInResult result, long memberId, String token, String csrfToken, long retryAfterSeconds) {
    @Override
    public String toString() {
      return "SignIn[" + result + "]";
    }
  }

  public record Session(long memberId, String csrfToken) { }

  public enum PasswordChange { CHANGED, WRONG_PASSWORD }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final MembersOptions options;
  private final PasswordHasher hasher;
  private final GuessLimiter loginLimiter;
  private final GuessLimiter sourceLimiter;
  private final MemberService members;
  private final SecureRandom random = new SecureRandom();

  public SessionService(Vertx vertx, Pool pool, Clock clock, MembersOptions options, PasswordHasher hasher,
                        GuessLimiter sourceLimiter, MemberService members) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.options = options;
    this.hasher = hasher;
    this.sourceLimiter = sourceLimiter;
    this.members = members;
    this.loginLimiter = GuessLimiter.persistent("members.login", options.loginFailuresMax(), options.guessWindow(),
        MembersOptions.LIMITER_KEYS_MAX, clock, pool);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  public Future<SignIn> signIn(String rawLogin, String password, String source) {
    String login;
    try {
      login = SignUp.normalizeLogin(rawLogin);
    } catch (IllegalArgumentException e) {
      login = "invalid:" + (rawLogin == null ? "" : rawLogin.length());
    }
    long wait = Math.max(loginLimiter.retryAfterSeconds(login), sourceLimiter.retryAfterSeconds(source));
    if (wait > 0) return Future.succeededFuture(new SignIn(SignInResult.THROTTLED, 0, null, null, wait));
    String key = login;
    String pw = password == null ? "" : password;
    if (pw.length() > PasswordHasher.PASSWORD_LENGTH_MAX) {
      return failed(key, source);
    }
    return pool.preparedQuery("SELECT id, password_hash FROM members.member WHERE login_id = $1")
        .execute(Tuple.of(login))
        .compose(rows -> {
          Row row = rows.size() == 1 ? rows.iterator().next() : null;
          return Web.blocking(vertx, () -> row == null ? hasher.verifyDecoy(pw)
              : hasher.verify(pw, row.getString("password_hash"))).map(ok -> ok ? row.getLong("id") : null);
        })
        .compose(memberId -> {
          if (memberId == null) return failed(key, source);
          loginLimiter.reset(key);
          // heals a bonus whose crediting failed at verification time; EXISTS otherwise
          return members.isVerified(memberId)
              .compose(verified -> verified ? members.creditSignUpBonus(memberId).mapEmpty() : Future.succeededFuture())
              .recover(e -> Future.succeededFuture())
              .compose(v -> createSession(memberId));
        });
  }

  private Future<SignIn> failed(String login, String source) {
    loginLimiter.recordFailure(login);
    sourceLimiter.recordFailure(source);
    return Future.succeededFuture(new SignIn(SignInResult.INVALID, 0, null, null, 0));
  }

  private Future<SignIn> createSession(long memberId) {
    String token = randomToken();
    String csrf = randomToken();
    OffsetDateTime now = now();
    return pool.withTransaction(c -> c.preparedQuery("INSERT INTO members.session (token_hash, member_id, csrf_token,"
                + " created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
            .execute(Tuple.of(Buffer.buffer(sha256(token)), memberId, csrf, now, now.plus(options.sessionAbsolute())))
            // the oldest sessions of a member beyond the bound end, and expired ones are swept
            .compose(v -> c.preparedQuery("DELETE FROM members.session WHERE (member_id = $1 AND token_hash NOT IN"
                    + " (SELECT token_hash FROM members.session WHERE member_id = $1 ORDER BY created_at DESC LIMIT $2))"
                    + " OR expires_at < $3")
                .execute(Tuple.of(memberId, MembersOptions.SESSIONS_PER_MEMBER_MAX, now))))
        .map(v -> new SignIn(SignInResult.OK, memberId, token, csrf, 0));
  }

  /** The live session of the cookie value, or null. Slides the idle timeout. */
  public Future<Session> lookup(String token) {
    if (token == null || token.length() != 43) return Future.succeededFuture(null);
    byte[] hash = sha256(token);
    return pool.preparedQuery("SELECT member_id, csrf_token, last_seen_at, expires_at FROM members.session WHERE token_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash))).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(null);
          Row r = rows.iterator().next();
          OffsetDateTime now = now();
          OffsetDateTime lastSeen = r.getOffsetDateTime("last_seen_at");
          if (!now.isBefore(r.getOffsetDateTime("expires_at")) || !now.isBefore(lastSeen.plus(options.sessionIdle()))) {
            return pool.preparedQuery("DELETE FROM members.session WHERE token_hash = $1").execute(Tuple.of(Buffer.buffer(hash)))
                .map(v -> (Session) null);
          }
          Session s = new Session(r.getLong("member_id"), r.getString("csrf_token"));
          if (now.isAfter(lastSeen.plus(TOUCH_INTERVAL))) {
            return pool.preparedQuery("UPDATE members.session SET last_seen_at = $2 WHERE token_hash = $1")
                .execute(Tuple.of(Buffer.buffer(hash), now)).map(s);
          }
          return Future.succeededFuture(s);
        });
  }

  public Future<Void> signOut(String token) {
    if (token == null) return Future.succeededFuture();
    return pool.preparedQuery("DELETE FROM members.session WHERE token_hash = $1")
        .execute(Tuple.of(Buffer.buffer(sha256(token)))).mapEmpty();
  }

  /** Checks the current password (same limits as sign-in); on success every other session of the member ends. */
  public Future<PasswordChange> changePassword(long memberId, String currentToken, String current, String next,
                                               String source) {
    SignUp.requirePassword(next);
    return checkPassword(memberId, current, source).compose(ok -> !ok
        ? Future.succeededFuture(PasswordChange.WRONG_PASSWORD)
        : Web.blocking(vertx, () -> hasher.hash(next)).compose(hash -> pool.withTransaction(c -> c.preparedQuery(
                    "UPDATE members.member SET password_hash = $2 WHERE id = $1")
                .execute(Tuple.of(memberId, hash))
                .compose(v -> c.preparedQuery("DELETE FROM members.session WHERE member_id = $1 AND token_hash <> $2")
                    .execute(Tuple.of(memberId, Buffer.buffer(sha256(currentToken == null ? "" : currentToken))))))
            .map(PasswordChange.CHANGED)));
  }

  /**
   * Re-authentication of a signed-in member before a sensitive change (password, phone number): a wrong
   * password counts against the member and the source like a failed sign-in, and a locked member or
   * source answers false without a hash being checked.
   */
  public Future<Boolean> checkPassword(long memberId, String password, String source) {
    String key = "member#" + memberId;
    if (loginLimiter.retryAfterSeconds(key) > 0 || sourceLimiter.retryAfterSeconds(source) > 0) {
      return Future.succeededFuture(false);
    }
    return pool.preparedQuery("SELECT password_hash FROM members.member WHERE id = $1").execute(Tuple.of(memberId))
        .compose(rows -> Web.blocking(vertx, () -> rows.size() == 1 && password != null
            && password.length() <= PasswordHasher.PASSWORD_LENGTH_MAX
            && hasher.verify(password, rows.iterator().next().getString(0))))
        .map(ok -> {
          if (!ok) {
            loginLimiter.recordFailure(key);
            sourceLimiter.recordFailure(source);
          }
          return ok;
        });
  }

  private String randomToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

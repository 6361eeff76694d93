package dev.mileage.gateway.members;

import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.logging.Logger;

/** Sign-up, phone verification and profile. Sessions and sign-in are in {@link SessionService}. */
public final class MemberService {
  private static final Logger LOG = Logger.getLogger(MemberService.class.getName());
  private static final String UNIQUE_VIOLATION = "23505";

  public enum SignUpResult { CREATED, LOGIN_TAKEN }

  public enum VerifyResult { VERIFIED, ALREADY_VERIFIED, WRONG_CODE, EXPIRED, TOO_MANY_ATTEMPTS, PHONE_TAKEN, THROTTLED }

  /** UNKNOWN also stands for an already verified login: the answer must not tell the two apart. */
  public enum ResendResult { SENT, TOO_SOON, UNKNOWN, SMS_FAILED }

  public enum PhoneChangeStart { SENT, SAME_NUMBER, NOT_VERIFIED, TOO_SOON, SMS_FAILED }

  public enum PhoneChangeResult { CHANGED, NOTHING_PENDING, WRONG_CODE, EXPIRED, TOO_MANY_ATTEMPTS, PHONE_TAKEN, THROTTLED }

  public record Created(SignUpResult result, long memberId, boolean smsSent) { }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final MembersOptions options;
  private final PasswordHasher hasher;
  private final SmsSender sms;
  private final LedgerAccess accounts;
  private final GuessLimiter sourceLimiter;
  private final SecureRandom random = new SecureRandom();
  /** Login ids without a code to resend (unknown or verified) answer TOO_SOON within the interval too, like real ones. */
  private final GuessLimiter quietResends;

  public MemberService(Vertx vertx, Pool pool, Clock clock, MembersOptions options, PasswordHasher hasher,
                       SmsSender sms, LedgerAccess accounts, GuessLimiter sourceLimiter) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.options = options;
    this.hasher = hasher;
    this.sms = sms;
    this.accounts = accounts;
    this.sourceLimiter = sourceLimiter;
    this.quietResends = new GuessLimiter(1, options.codeResendInterval(), MembersOptions.LIMITER_KEYS_MAX, clock);
  }

  OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  public Future<Created> signUp(SignUp s) {
    return Web.blocking(vertx, () -> hasher.hash(s.password())).compose(hash -> pool.preparedQuery(
            "INSERT INTO members.member (login_id, password_hash, name, phone, address, occupation, created_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .execute(Tuple.of(s.loginId(), hash, s.name(), s.phone(), s.address(), s.occupation(), now()))
        .map(rows -> rows.iterator().next().getLong(0))
        .compose(id -> sendCode(id, s.phone()).map(sent -> new Created(SignUpResult.CREATED, id, sent)))
        .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.succeededFuture(new Created(SignUpResult.LOGIN_TAKEN, 0, false))
            : Future.failedFuture(e)));
  }

  /** A fresh 6-digit code replaces any earlier one; only its hash is stored. */
  private Future<Boolean> sendCode(long memberId, String phone) {
    return sendCode(memberId, phone, null);
  }

  /** As {@link #sendCode(long, String)}; {@code newPhone} non-null: the code confirms a change to that number. */
  private Future<Boolean> sendCode(long memberId, String phone, String newPhone) {
    String code = String.format("%06d", random.nextInt(1_000_000));
    OffsetDateTime now = now();
    return pool.preparedQuery("INSERT INTO members.phone_verification (member_id, code_hash, sent_at, expires_at, attempts, new_phone)"
            + " VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (member_id) DO UPDATE SET code_hash = EXCLUDED.code_hash,"
            + " sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at, attempts = 0, new_phone = EXCLUDED.new_phone")
        .execute(Tuple.of(memberId, io.vertx.core.buffer.Buffer.buffer(codeHash(memberId, code)), now,
            now.plus(options.codeValidity()), newPhone))
        .compose(v -> sms.send(phone, "Mileage verification code: " + code + " (valid "
            + options.codeValidity().toMinutes() + " min). Never share it."))
        .map(r -> r == SmsSender.Result.DELIVERED_TO_SMSC)
        .recover(e -> {
          LOG.warning("verification SMS not sent: " + e.getClass().getSimpleName());
          return Future.succeededFuture(false);
        });
  }

  public Future<ResendResult> resend(String loginId) {
    return pool.preparedQuery("SELECT m.id, m.phone, m.phone_verified_at, v.sent_at FROM members.member m"
            + " LEFT JOIN members.phone_verification v ON v.member_id = m.id WHERE m.login_id = $1")
        .execute(Tuple.of(loginId)).compose(rows -> {
          if (rows.size() == 0 || rows.iterator().next().getOffsetDateTime("phone_verified_at") != null) {
            // nothing to send: answered like a sent code (and a repeat like a real one within the interval)
            if (quietResends.retryAfterSeconds(loginId) > 0) return Future.succeededFuture(ResendResult.TOO_SOON);
            quietResends.recordFailure(loginId);
            return Future.succeededFuture(ResendResult.UNKNOWN);
          }
          Row r = rows.iterator().next();
          OffsetDateTime sent = r.getOffsetDateTime("sent_at");
          if (sent != null && now().isBefore(sent.plus(options.codeResendInterval()))) {
            return Future.succeededFuture(ResendResult.TOO_SOON);
          }
          return sendCode(r.getLong("id"), r.getString("phone"))
              .map(ok -> ok ? ResendResult.SENT : ResendResult.SMS_FAILED);
        });
  }

  /**
   * Checks the code. An unknown login answers WRONG_CODE like a wrong code. On success the sign-up bonus
   * is credited (idempotent: its transfer id comes from the member id).
   */
  public Future<VerifyResult> verifyPhone(String loginId, String code, String source) {
    if (sourceLimiter.retryAfterSeconds(source) > 0) return Future.succeededFuture(VerifyResult.THROTTLED);
    return pool.preparedQuery("SELECT m.id, m.phone_verified_at, v.code_hash, v.expires_at, v.attempts"
            + " FROM members.member m LEFT JOIN members.phone_verification v ON v.member_id = m.id WHERE m.login_id = $1")
        .execute(Tuple.of(loginId)).compose(rows -> {
          if (rows.size() == 0) {
            sourceLimiter.recordFailure(source);
            return Future.succeededFuture(VerifyResult.WRONG_CODE);
          }
          Row r = rows.iterator().next();
          long memberId = r.getLong("id");
          if (r.getOffsetDateTime("phone_verified_at") != null) {
            // this answer says the login exists: probing with it costs the source as much as an unknown login does
            sourceLimiter.recordFailure(source);
            return Future.succeededFuture(VerifyResult.ALREADY_VERIFIED);
          }
          if (r.getBuffer("code_hash") == null) return Future.succeededFuture(VerifyResult.EXPIRED);
          if (r.getInteger("attempts") >= options.codeAttemptsMax()) {
            return Future.succeededFuture(VerifyResult.TOO_MANY_ATTEMPTS);
          }
          if (!now().isBefore(r.getOffsetDateTime("expires_at"))) return Future.succeededFuture(VerifyResult.EXPIRED);
          boolean match = code != null && code.matches("[0-9]{6}")
              && MessageDigest.isEqual(r.getBuffer("code_hash").getBytes(), codeHash(memberId, code));
          if (!match) {
            sourceLimiter.recordFailure(source);
            return pool.preparedQuery("UPDATE members.phone_verification SET attempts = attempts + 1 WHERE member_id = $1")
                .execute(Tuple.of(memberId)).map(VerifyResult.WRONG_CODE);
          }
          return pool.withTransaction(c -> c.preparedQuery(
                      "UPDATE members.member SET phone_verified_at = $2 WHERE id = $1 AND phone_verified_at IS NULL")
                  .execute(Tuple.of(memberId, now()))
                  .compose(u -> c.preparedQuery("DELETE FROM members.phone_verification WHERE member_id = $1")
                      .execute(Tuple.of(memberId))))
              .compose(v -> creditSignUpBonus(memberId).map(VerifyResult.VERIFIED))
              .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                  ? Future.succeededFuture(VerifyResult.PHONE_TAKEN) : Future.failedFuture(e));
        });
  }

  /**
   * Starts a verified member's change of phone number: a code goes by SMS to the NEW number (possession of
   * it is the proof), replacing any earlier code. The caller has re-authenticated with the password. The
   * resend interval applies as at sign-up, so this cannot be used to flood a number with SMS.
   */
  public Future<PhoneChangeStart> startPhoneChange(long memberId, String newPhone) {
    SignUp.requirePhone(newPhone);
    return pool.preparedQuery("SELECT m.phone, m.phone_verified_at, v.sent_at FROM members.member m"
            + " LEFT JOIN members.phone_verification v ON v.member_id = m.id WHERE m.id = $1")
        .execute(Tuple.of(memberId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(PhoneChangeStart.NOT_VERIFIED);
          Row r = rows.iterator().next();
          if (r.getOffsetDateTime("phone_verified_at") == null) return Future.succeededFuture(PhoneChangeStart.NOT_VERIFIED);
          if (newPhone.equals(r.getString("phone"))) return Future.succeededFuture(PhoneChangeStart.SAME_NUMBER);
          OffsetDateTime sent = r.getOffsetDateTime("sent_at");
          if (sent != null && now().isBefore(sent.plus(options.codeResendInterval()))) {
            return Future.succeededFuture(PhoneChangeStart.TOO_SOON);
          }
          return sendCode(memberId, newPhone, newPhone).map(ok -> ok ? PhoneChangeStart.SENT : PhoneChangeStart.SMS_FAILED);
        });
  }

  /**
   * Confirms a change of phone number with the code sent to the new number. Wrong codes count per member
   * (the code dies after {@code codeAttemptsMax}) and per source. The old number is told by SMS that it
   * no longer belongs to the account (best effort: the change does not wait for the SMSC).
   */
  public Future<PhoneChangeResult> confirmPhoneChange(long memberId, String code, String source) {
    if (sourceLimiter.retryAfterSeconds(source) > 0) return Future.succeededFuture(PhoneChangeResult.THROTTLED);
    return pool.preparedQuery("SELECT m.phone, v.code_hash, v.expires_at, v.attempts, v.new_phone FROM members.member m"
            + " JOIN members.phone_verification v ON v.member_id = m.id WHERE m.id = $1 AND v.new_phone IS NOT NULL")
        .execute(Tuple.of(memberId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(PhoneChangeResult.NOTHING_PENDING);
          Row r = rows.iterator().next();
          if (r.getInteger("attempts") >= options.codeAttemptsMax()) {
            return Future.succeededFuture(PhoneChangeResult.TOO_MANY_ATTEMPTS);
          }
          if (!now().isBefore(r.getOffsetDateTime("expires_at"))) return Future.succeededFuture(PhoneChangeResult.EXPIRED);
          boolean match = code != null && code.matches("[0-9]{6}")
              && MessageDigest.isEqual(r.getBuffer("code_hash").getBytes(), codeHash(memberId, code));
          if (!match) {
            sourceLimiter.recordFailure(source);
            return pool.preparedQuery("UPDATE members.phone_verification SET attempts = attempts + 1 WHERE member_id = $1")
                .execute(Tuple.of(memberId)).map(PhoneChangeResult.WRONG_CODE);
          }
          String oldPhone = r.getString("phone");
          String newPhone = r.getString("new_phone");
          return pool.withTransaction(c -> c.preparedQuery(
                      "UPDATE members.member SET phone = $2, phone_verified_at = $3 WHERE id = $1")
                  .execute(Tuple.of(memberId, newPhone, now()))
                  .compose(u -> c.preparedQuery("DELETE FROM members.phone_verification WHERE member_id = $1")
                      .execute(Tuple.of(memberId))))
              .map(v -> {
                sms.send(oldPhone, "Mileage: this number was removed from your account; it now uses another number."
                    + " If you did not do this, contact the operator.").onFailure(e -> LOG.warning(
                        "phone change notice not sent: " + e.getClass().getSimpleName()));
                return PhoneChangeResult.CHANGED;
              })
              .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                  ? Future.succeededFuture(PhoneChangeResult.PHONE_TAKEN) : Future.failedFuture(e));
        });
  }

  /** Credits the bonus once; answering EXISTS on later calls, so it can be re-run safely at every sign-in. */
  public Future<TransferResult> creditSignUpBonus(long memberId) {
    if (options.signUpBonusMileage() == 0) return Future.succeededFuture(TransferResult.OK);
    return accounts.credit(memberId, StandardPointTypes.MILEAGE, options.signUpBonusMileage(),
        "member:" + memberId + ":sign-up-bonus", TransferCodes.SIGN_UP_BONUS, "sign-up bonus");
  }

  public Future<JsonObject> profile(long memberId) {
    return pool.preparedQuery("SELECT id, login_id, name, phone, address, occupation, phone_verified_at, created_at"
            + " FROM members.member WHERE id = $1").execute(Tuple.of(memberId))
        .map(rows -> {
          if (rows.size() == 0) return null;
          Row r = rows.iterator().next();
          return new JsonObject().put("id", r.getLong("id")).put("loginId", r.getString("login_id"))
              .put("name", r.getString("name")).put("phone", r.getString("phone"))
              .put("address", r.getString("address")).put("occupation", r.getString("occupation"))
              .put("phoneVerified", r.getOffsetDateTime("phone_verified_at") != null)
              .put("memberSince", r.getOffsetDateTime("created_at").toInstant().toString())
              .put("signUpBonusMileage", options.signUpBonusMileage());
        });
  }

  /** Changes name, address or occupation (null: unchanged). The phone number changes only through verification. */
  public Future<Boolean> updateProfile(long memberId, String name, String address, String occupation) {
    if (name != null && name.length() > SignUp.NAME_LENGTH_MAX) throw new IllegalArgumentException("name is too long");
    if (address != null && address.length() > SignUp.ADDRESS_LENGTH_MAX) throw new IllegalArgumentException("address is too long");
    return pool.preparedQuery("UPDATE members.member SET name = COALESCE($2, name), address = COALESCE($3, address),"
            + " occupation = COALESCE($4, occupation) WHERE id = $1")
        .execute(Tuple.of(memberId, name, address, occupation)).map(r -> r.rowCount() == 1);
  }

  public Future<Boolean> isVerified(long memberId) {
    return pool.preparedQuery("SELECT phone_verified_at IS NOT NULL FROM members.member WHERE id = $1")
        .execute(Tuple.of(memberId)).map(rows -> rows.size() == 1 && rows.iterator().next().getBoolean(0));
  }

  static byte[] codeHash(long memberId, String code) {
    try {
      return MessageDigest.getInstance("SHA-256").digest((memberId + ":" + code).getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

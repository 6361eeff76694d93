package dev.mileage.gateway.members;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the members feature, with defaults.
 *
 * @param sessionIdle       a session not used for this long ends
 * @param sessionAbsolute   a session ends this long after sign-in however much it is used
 * @param signUpBonusMileage credited once, when the phone number is verified
 * @param smscUri           where SMS go (SIP MESSAGE); empty: SMS are not sent (codes cannot be verified)
 * @param hashesPerMemberMax Argon2 hashes a signed-in member's requests may cost in one {@code hashWindow}, right
 *                          password or wrong (a password change costs 2, a phone number change 1); past it 429
 * @param hashesPerSourceMax Argon2 hashes sign-ins from one source address may cost in one {@code hashWindow}
 *                          (1 each, successful or not); past it 429
 * @param hashWindow        the window of both hash budgets
 */
public record MembersOptions(Duration sessionIdle, Duration sessionAbsolute, long signUpBonusMileage,
                             Duration codeValidity, Duration codeResendInterval, int codeAttemptsMax,
                             int loginFailuresMax, int sourceFailuresMax, Duration guessWindow,
                             String smscUri, boolean secureCookies, int hashesPerMemberMax, int hashesPerSourceMax,
                             Duration hashWindow) {
  public static final int SESSIONS_PER_MEMBER_MAX = 10;
  public static final int LIMITER_KEYS_MAX = 100_000;
  /**
   * Sign-ups one source address may make per {@link #SIGN_UP_WINDOW}: each costs a password hash and sends an SMS
   * to a number of the caller's choosing, so without a bound anyone could pump SMS (and the bill) at will.
   */
  public static final int SIGN_UPS_PER_SOURCE_MAX = 20;
  public static final java.time.Duration SIGN_UP_WINDOW = java.time.Duration.ofHours(1);
  /**
   * Argon2 (19 MiB, 2 passes) costs tens of CPU-ms: a signed-in member's password and phone changes need a handful an
   * hour, so 20 per 15 minutes never stops a person and stops one member from keeping a core busy.
   */
  public static final int HASHES_PER_MEMBER_DEFAULT = 20;
  /** Sign-ins per address per window: room for an office behind one NAT, not for a loop of right passwords. */
  public static final int HASHES_PER_SOURCE_DEFAULT = 100;
  public static final Duration HASH_WINDOW_DEFAULT = Duration.ofMinutes(15);
  /** The most one request hashes (a password change: the current one verified, the new one hashed). */
  static final int HASHES_PER_REQUEST_MAX = 2;

  public MembersOptions {
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(sessionAbsolute, "sessionAbsolute");
    Objects.requireNonNull(codeValidity, "codeValidity");
    Objects.requireNonNull(codeResendInterval, "codeResendInterval");
    Objects.requireNonNull(guessWindow, "guessWindow");
    Objects.requireNonNull(smscUri, "smscUri");
    if (signUpBonusMileage < 0) throw new IllegalArgumentException("signUpBonusMileage must not be negative");
    if (codeAttemptsMax < 1 || loginFailuresMax < 1 || sourceFailuresMax < 1 || hashesPerSourceMax < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (hashesPerMemberMax < HASHES_PER_REQUEST_MAX) {
      throw new IllegalArgumentException("hashesPerMemberMax must be at least " + HASHES_PER_REQUEST_MAX + " (a password change)");
    }
    Objects.requireNonNull(hashWindow, "hashWindow");
    if (hashWindow.isNegative() || hashWindow.isZero()) throw new IllegalArgumentException("hashWindow must be positive");
  }

  public static MembersOptions defaults() {
    return new MembersOptions(Duration.ofMinutes(30), Duration.ofHours(12), 3_000,
        Duration.ofMinutes(10), Duration.ofSeconds(60), 5, 5, 30, Duration.ofMinutes(15),
        System.getProperty("mileage.smscUri", System.getenv().getOrDefault("MILEAGE_SMSC_URI", "")), false,
        HASHES_PER_MEMBER_DEFAULT, HASHES_PER_SOURCE_DEFAULT, HASH_WINDOW_DEFAULT);
  }

  public MembersOptions withSmscUri(String uri) {
    return new MembersOptions(sessionIdle, sessionAbsolute, signUpBonusMileage, codeValidity, codeResendInterval,
        codeAttemptsMax, loginFailuresMax, sourceFailuresMax, guessWindow, uri, secureCookies, hashesPerMemberMax,
        hashesPerSourceMax, hashWindow);
  }

  /** At most {@code perMember} hashes per signed-in member and {@code perSource} sign-ins per address per {@code window}. */
  public MembersOptions withHashLimits(int perMember, int perSource, Duration window) {
    return new MembersOptions(sessionIdle, sessionAbsolute, signUpBonusMileage, codeValidity, codeResendInterval,
        codeAttemptsMax, loginFailuresMax, sourceFailuresMax, guessWindow, smscUri, secureCookies, perMember, perSource,
        window);
  }
}

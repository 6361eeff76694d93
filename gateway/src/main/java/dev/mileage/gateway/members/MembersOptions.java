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
 */
public record MembersOptions(Duration sessionIdle, Duration sessionAbsolute, long signUpBonusMileage,
                             Duration codeValidity, Duration codeResendInterval, int codeAttemptsMax,
                             int loginFailuresMax, int sourceFailuresMax, Duration guessWindow,
                             String smscUri, boolean secureCookies) {
  public static final int SESSIONS_PER_MEMBER_MAX = 10;
  public static final int LIMITER_KEYS_MAX = 100_000;
  /**
   * Sign-ups one source address may make per {@link #SIGN_UP_WINDOW}: each costs a password hash and sends an SMS
   * to a number of the caller's choosing, so without a bound anyone could pump SMS (and the bill) at will.
   */
  public static final int SIGN_UPS_PER_SOURCE_MAX = 20;
  public static final java.time.Duration SIGN_UP_WINDOW = java.time.Duration.ofHours(1);

  public MembersOptions {
    Objects.requireNonNull(sessionIdle, "sessionIdle");
    Objects.requireNonNull(sessionAbsolute, "sessionAbsolute");
    Objects.requireNonNull(codeValidity, "codeValidity");
    Objects.requireNonNull(codeResendInterval, "codeResendInterval");
    Objects.requireNonNull(guessWindow, "guessWindow");
    Objects.requireNonNull(smscUri, "smscUri");
    if (signUpBonusMileage < 0) throw new IllegalArgumentException("signUpBonusMileage must not be negative");
    if (codeAttemptsMax < 1 || loginFailuresMax < 1 || sourceFailuresMax < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }

  public static MembersOptions defaults() {
    return new MembersOptions(Duration.ofMinutes(30), Duration.ofHours(12), 3_000,
        Duration.ofMinutes(10), Duration.ofSeconds(60), 5, 5, 30, Duration.ofMinutes(15),
        System.getProperty("mileage.smscUri", System.getenv().getOrDefault("MILEAGE_SMSC_URI", "")), false);
  }

  public MembersOptions withSmscUri(String uri) {
    return new MembersOptions(sessionIdle, sessionAbsolute, signUpBonusMileage, codeValidity, codeResendInterval,
        codeAttemptsMax, loginFailuresMax, sourceFailuresMax, guessWindow, uri, secureCookies);
  }
}

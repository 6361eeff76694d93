package dev.mileage.gateway.certificates;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the gift-certificate feature, with defaults.
 *
 * @param phoneBillMonthlyLimitWon what a member may add to one month's phone bill for certificates
 * @param pinFailuresPerCertificateMax wrong PINs (or tries of an unknown code) per code in one guess window
 * @param failuresPerStoreMax   failed redemptions per store in one window (online checkout: per member)
 * @param failuresPerSourceMax  failed redemptions per source address in one window
 * @param failuresOverallMax    failed redemptions in all in one window: a distributed guesser stops here
 * @param bankTransferWindow    how long a bank-transfer order waits for its deposit before it expires
 * @param publicBaseUrl         where claim links point (e.g. {@code https://mileage.example}); empty: the
 *                              address the giver's browser used (its Host header: refused with {@code --production})
 * @param bankUrl               base URL of the bank provider's deposit-return API ({@code MILEAGE_BANK_URL}); empty:
 *                              the simulated provider on loopback (refused with {@code --production})
 * @param bankSecret            the secret shared with that provider: signs our return instructions and verifies its
 *                              answers and settlement notices ({@code MILEAGE_BANK_SECRET}); never printed
 * @param bankTimeout           how long one return instruction may wait for the provider's answer
 * @param webhookBadSignaturesPerSourceMax notices with a missing or bad signature one source address may post to the
 *                              provider webhooks (deposit notices and deposit-return settlement notices, counted
 *                              together) in one {@code webhookBadSignatureWindow}; past it the address gets 429 until
 *                              the window ends, even for a well-signed notice (the provider posts it again later)
 * @param webhookBadSignatureWindow the window of that count
 * @param pinHashesPerMemberMax Argon2 PIN hashes a signed-in member's requests may cost in one {@code pinHashWindow}:
 *                              a new PIN 1, an online redemption 1 (right PIN or wrong), accepting a gift 1 per
 *                              certificate; past it 429 before anything is hashed or changed
 * @param pinHashesPerStoreMax  the same for one store's POS redemptions (1 each)
 * @param pinHashWindow         the window of both PIN hash budgets
 */
public record CertificatesOptions(long phoneBillMonthlyLimitWon, int pinFailuresPerCertificateMax,
                                  int failuresPerStoreMax, int failuresPerSourceMax, int failuresOverallMax,
                                  Duration guessWindow, Duration bankTransferWindow, String publicBaseUrl,
                                  String bankUrl, String bankSecret, Duration bankTimeout,
                                  int webhookBadSignaturesPerSourceMax, Duration webhookBadSignatureWindow,
                                  int pinHashesPerMemberMax, int pinHashesPerStoreMax, Duration pinHashWindow) {
  public static final int SHEETS_PER_PURCHASE_MAX = 20;
  public static final long PURCHASE_WON_MAX = 2_000_000;
  public static final int CERTIFICATES_PER_GIFT_MAX = 20;
  public static final int MESSAGE_LENGTH_MAX = 200;
  public static final int LIMITER_KEYS_MAX = 100_000;
  public static final int HISTORY_ROWS_MAX = 200;
  public static final long REDEMPTION_WON_MAX = 10_000_000;
  public static final int TRANSACTION_ID_LENGTH_MAX = 64;
  /** Argon2id for PINs: lighter than passwords (a 6-digit PIN gains little from more), still memory-hard. */
  public static final int PIN_HASH_MEMORY_KIB = 8 * 1024;
  /** Bank-transfer orders expired per sweep: the rest wait for the next sweep (their buyers' reads expire them too). */
  public static final int EXPIRY_BATCH_MAX = 500;
  public static final Duration EXPIRY_SWEEP_INTERVAL = Duration.ofMinutes(1);
  /** Times a giver may have one gift's offer sent again within {@link #GIFT_RESEND_WINDOW} (the SMSC is not a toy). */
  public static final int GIFT_RESENDS_PER_WINDOW_MAX = 3;
  public static final Duration GIFT_RESEND_WINDOW = Duration.ofHours(1);

  public static final String PUBLIC_BASE_URL_ENV = "MILEAGE_PUBLIC_BASE_URL";
  public static final String BANK_URL_ENV = "MILEAGE_BANK_URL";
  public static final String BANK_SECRET_ENV = "MILEAGE_BANK_SECRET";
  /** A shared secret shorter than this is guessable: refused. */
  public static final int BANK_SECRET_LENGTH_MIN = 32;
  public static final Duration BANK_TIMEOUT_DEFAULT = Duration.ofSeconds(10);
  /** How often owed deposit returns are looked for (each is also sent right after it is recorded). */
  public static final Duration RETURN_DISPATCH_INTERVAL = Duration.ofSeconds(5);
  /**
   * A provider signs every notice right, so a source with this many bad signatures within the window is guessing
   * (or holds a wrong secret, which an operator must fix anyway); the provider re-posts what it could not deliver.
   */
  public static final int WEBHOOK_BAD_SIGNATURES_PER_SOURCE_DEFAULT = 20;
  public static final Duration WEBHOOK_BAD_SIGNATURE_WINDOW_DEFAULT = Duration.ofMinutes(15);
  /**
   * A PIN hash (Argon2id, 8 MiB, 1 pass) costs some CPU-ms: 60 per member per 15 minutes is three accepted gifts of
   * the most certificates a gift may carry, or a new PIN or an online payment every 15 s, and keeps one member from
   * keeping a core busy. A store's POS gets 1,000 (a redemption a second, sustained).
   */
  public static final int PIN_HASHES_PER_MEMBER_DEFAULT = 60;
  public static final int PIN_HASHES_PER_STORE_DEFAULT = 1_000;
  public static final Duration PIN_HASH_WINDOW_DEFAULT = Duration.ofMinutes(15);

  public CertificatesOptions {
    Objects.requireNonNull(bankUrl, "bankUrl");
    Objects.requireNonNull(bankSecret, "bankSecret");
    Objects.requireNonNull(bankTimeout, "bankTimeout");
    if (bankTimeout.isNegative() || bankTimeout.isZero()) throw new IllegalArgumentException("bankTimeout must be positive");
    if (!bankUrl.isEmpty() && !bankUrl.startsWith("http://") && !bankUrl.startsWith("https://")) {
      throw new IllegalArgumentException(BANK_URL_ENV + " must be an http(s) URL");
    }
    if (!bankUrl.isEmpty() && bankSecret.length() < BANK_SECRET_LENGTH_MIN) {
      throw new IllegalArgumentException(BANK_URL_ENV + " needs " + BANK_SECRET_ENV + " of at least " + BANK_SECRET_LENGTH_MIN
          + " characters");
    }
    Objects.requireNonNull(guessWindow, "guessWindow");
    Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
    Objects.requireNonNull(bankTransferWindow, "bankTransferWindow");
    if (bankTransferWindow.isNegative() || bankTransferWindow.isZero()) throw new IllegalArgumentException("bankTransferWindow must be positive");
    if (phoneBillMonthlyLimitWon < 0) throw new IllegalArgumentException("phoneBillMonthlyLimitWon must not be negative");
    if (pinFailuresPerCertificateMax < 1 || failuresPerStoreMax < 1 || failuresPerSourceMax < 1 || failuresOverallMax < 1
        || webhookBadSignaturesPerSourceMax < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    if (pinHashesPerMemberMax < CERTIFICATES_PER_GIFT_MAX) {
      // accepting the largest gift takes that many hashes at once: a smaller budget could never accept it
      throw new IllegalArgumentException("pinHashesPerMemberMax must be at least " + CERTIFICATES_PER_GIFT_MAX);
    }
    if (pinHashesPerStoreMax < 1) throw new IllegalArgumentException("limits must be positive");
    Objects.requireNonNull(pinHashWindow, "pinHashWindow");
    if (pinHashWindow.isNegative() || pinHashWindow.isZero()) throw new IllegalArgumentException("pinHashWindow must be positive");
    Objects.requireNonNull(webhookBadSignatureWindow, "webhookBadSignatureWindow");
    if (webhookBadSignatureWindow.isNegative() || webhookBadSignatureWindow.isZero()) {
      throw new IllegalArgumentException("webhookBadSignatureWindow must be positive");
    }
  }

  public static CertificatesOptions defaults() {
    return new CertificatesOptions(300_000, 5, 30, 30, 1_000, Duration.ofMinutes(15), Duration.ofHours(24),
        System.getProperty("mileage.publicBaseUrl", System.getenv().getOrDefault(PUBLIC_BASE_URL_ENV, "")),
        System.getenv().getOrDefault(BANK_URL_ENV, "").strip(), System.getenv().getOrDefault(BANK_SECRET_ENV, "").strip(),
        BANK_TIMEOUT_DEFAULT, WEBHOOK_BAD_SIGNATURES_PER_SOURCE_DEFAULT, WEBHOOK_BAD_SIGNATURE_WINDOW_DEFAULT,
        PIN_HASHES_PER_MEMBER_DEFAULT, PIN_HASHES_PER_STORE_DEFAULT, PIN_HASH_WINDOW_DEFAULT);
  }

  /** The bank provider at {@code url} sharing {@code secret} (empty url: the simulated one), answering within {@code timeout}. */
  public CertificatesOptions withBank(String url, String secret, Duration timeout) {
    return new CertificatesOptions(phoneBillMonthlyLimitWon, pinFailuresPerCertificateMax, failuresPerStoreMax,
        failuresPerSourceMax, failuresOverallMax, guessWindow, bankTransferWindow, publicBaseUrl, url, secret, timeout,
        webhookBadSignaturesPerSourceMax, webhookBadSignatureWindow, pinHashesPerMemberMax, pinHashesPerStoreMax, pinHashWindow);
  }

  /** At most {@code perSourceMax} badly signed notices per source address at the provider webhooks per {@code window}. */
  public CertificatesOptions withWebhookLimit(int perSourceMax, Duration window) {
    return new CertificatesOptions(phoneBillMonthlyLimitWon, pinFailuresPerCertificateMax, failuresPerStoreMax,
        failuresPerSourceMax, failuresOverallMax, guessWindow, bankTransferWindow, publicBaseUrl, bankUrl, bankSecret,
        bankTimeout, perSourceMax, window, pinHashesPerMemberMax, pinHashesPerStoreMax, pinHashWindow);
  }

  /** At most {@code perMember} PIN hashes per signed-in member and {@code perStore} per store's POS per {@code window}. */
  public CertificatesOptions withPinHashLimits(int perMember, int perStore, Duration window) {
    return new CertificatesOptions(phoneBillMonthlyLimitWon, pinFailuresPerCertificateMax, failuresPerStoreMax,
        failuresPerSourceMax, failuresOverallMax, guessWindow, bankTransferWindow, publicBaseUrl, bankUrl, bankSecret,
        bankTimeout, webhookBadSignaturesPerSourceMax, webhookBadSignatureWindow, perMember, perStore, window);
  }

  /** No secret in logs: the bank secret is shown only as set or not. */
  @Override
  public String toString() {
    return "CertificatesOptions[phoneBillMonthlyLimitWon=" + phoneBillMonthlyLimitWon + ", guessWindow=" + guessWindow
        + ", bankTransferWindow=" + bankTransferWindow + ", publicBaseUrl=" + publicBaseUrl + ", bankUrl="
        + (bankUrl.isEmpty() ? "(simulated)" : bankUrl) + ", bankSecret=" + (bankSecret.isEmpty() ? "(none)" : "(set)")
        + ", bankTimeout=" + bankTimeout + ", webhookBadSignaturesPerSourceMax=" + webhookBadSignaturesPerSourceMax
        + ", webhookBadSignatureWindow=" + webhookBadSignatureWindow + ", pinHashesPerMemberMax=" + pinHashesPerMemberMax
        + ", pinHashesPerStoreMax=" + pinHashesPerStoreMax + ", pinHashWindow=" + pinHashWindow + "]";
  }

  public CertificatesOptions withLimits(int perCertificate, int perStore, int perSource, int overall) {
    return new CertificatesOptions(phoneBillMonthlyLimitWon, perCertificate, perStore, perSource, overall, guessWindow,
        bankTransferWindow, publicBaseUrl, bankUrl, bankSecret, bankTimeout, webhookBadSignaturesPerSourceMax,
        webhookBadSignatureWindow, pinHashesPerMemberMax, pinHashesPerStoreMax, pinHashWindow);
  }
}

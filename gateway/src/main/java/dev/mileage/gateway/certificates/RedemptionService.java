package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Redeeming a certificate: code (or, online, the member's own certificate) + PIN + amount, at a store
 * (POS) or at online checkout.
 *
 * <p>Exactly once: the value moves in one ledger transfer from the certificate's account (which can never
 * go below zero) to the store's, with an id derived from the store's own transaction id. However many
 * attempts race, the ledger's single writer approves at most the certificate's value; a repeated
 * transaction answers its first outcome.
 *
 * <p>Guessing: an unknown code and a wrong PIN take the same path (an Argon2 verification against a decoy
 * when there is no certificate), give the same answer, and count against the code, the store, the source
 * address and the whole service; any exhausted limit answers THROTTLED, also for a right PIN. Online, the
 * signed-in member stands for the store and the code is counted per member, so one member cannot lock out
 * another's certificate or everyone's online checkout.
 */
final class RedemptionService {
  enum Outcome { APPROVED, INVALID_CODE_OR_PIN, THROTTLED, INSUFFICIENT_BALANCE, NOT_REDEEMABLE, TRANSACTION_ID_REUSED }

  record Result(Outcome outcome, long approvedWon, long balanceWon, long certificateId, long retryAfterSeconds) { }

  /** Where the attempt comes from: the store (0 = online checkout), its transaction id, the source address. */
  record Attempt(long storeId, String transactionId, String source, long amountWon) {
    Attempt {
      if (transactionId == null || !transactionId.matches("[A-Za-z0-9._:-]{1," + CertificatesOptions.TRANSACTION_ID_LENGTH_MAX + "}")) {
        throw new IllegalArgumentException("transactionId must be 1 to " + CertificatesOptions.TRANSACTION_ID_LENGTH_MAX
            + " letters, digits, '.', '_', ':' or '-'");
      }
      if (amountWon <= 0 || amountWon > CertificatesOptions.REDEMPTION_WON_MAX) {
        throw new IllegalArgumentException("amountWon must be in 1.." + CertificatesOptions.REDEMPTION_WON_MAX);
      }
    }
  }

  private static final String OVERALL = "overall";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final CertificateLedger ledger;
  private final PasswordHasher pinHasher;
  private final GuessLimiter perCode;
  private final GuessLimiter perStore;
  private final GuessLimiter perSource;
  private final GuessLimiter overall;

  RedemptionService(Vertx vertx, Pool pool, Clock clock, CertificateLedger ledger, PasswordHasher pinHasher,
                    CertificatesOptions options) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.ledger = ledger;
    this.pinHasher = pinHasher;
    int keys = CertificatesOptions.LIMITER_KEYS_MAX;
    // persistent: a restart must not give a PIN guesser a fresh allowance
    this.perCode = GuessLimiter.persistent("certificates.code", options.pinFailuresPerCertificateMax(), options.guessWindow(),
        keys, clock, pool);
    this.perStore = GuessLimiter.persistent("certificates.store", options.failuresPerStoreMax(), options.guessWindow(), keys,
        clock, pool);
    this.perSource = GuessLimiter.persistent("certificates.source", options.failuresPerSourceMax(), options.guessWindow(), keys,
        clock, pool);
    this.overall = GuessLimiter.persistent("certificates.overall", options.failuresOverallMax(), options.guessWindow(), 1,
        clock, pool);
  }

  /** At a store's POS (or any caller holding the code): by code and PIN. */
  Future<Result> redeemByCode(String codeInput, String pin, Attempt a) {
    String code = Codes.normalize(codeInput);
    String codeKey = Codes.limiterKey("code:", code == null ? String.valueOf(codeInput) : code);
    return redeem(codeKey, "store:" + a.storeId(), pin, a, code == null ? Future.succeededFuture(null) : pool.preparedQuery(SELECT + " WHERE c.code_digest = $1")
        .execute(Tuple.of(Buffer.buffer(Codes.digest(code)))).map(RedemptionService::first));
  }

  /**
   * Online checkout: the member's own certificate and its PIN; another member's certificate is unknown. The
   * caller is known here, so failures count against the member (and the certificate as seen by that member),
   * not against the certificate or the online channel as a whole: a member guessing at ids or PINs locks out
   * only themselves, never the holder or every other member's checkout.
   */
  Future<Result> redeemOwn(long memberId, long certificateId, String pin, Attempt a) {
    String codeKey = "certificate:" + certificateId + ":member:" + memberId;
    return redeem(codeKey, "online:member:" + memberId, pin, a, pool.preparedQuery(SELECT + " WHERE c.id = $1 AND c.holder_member_id = $2")
        .execute(Tuple.of(certificateId, memberId)).map(RedemptionService::first));
  }

  private static final String SELECT = "SELECT c.id, c.pin_hash, c.status, c.account_id FROM certificates.certificate c"
      + " JOIN certificates.purchase p ON p.id = c.purchase_id AND p.status = 'ISSUED'";

  private static Row first(io.vertx.sqlclient.RowSet<Row> rows) {
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private Future<Result> redeem(String codeKey, String storeKey, String pin, Attempt a, Future<Row> lookup) {
    String sourceKey = "source:" + a.source();
    long wait = Math.max(Math.max(perCode.retryAfterSeconds(codeKey), perStore.retryAfterSeconds(storeKey)),
        Math.max(perSource.retryAfterSeconds(sourceKey), overall.retryAfterSeconds(OVERALL)));
    if (wait > 0) return Future.succeededFuture(new Result(Outcome.THROTTLED, 0, 0, 0, wait));
    return lookup.compose(row -> Web.blocking(vertx, () -> {
      // the same Argon2 work whether or not the code exists, so timing does not tell them apart
      String candidate = Codes.plausiblePin(pin) ? pin : "not-a-pin";
      boolean ok = row == null ? pinHasher.verifyDecoy(candidate) : pinHasher.verify(candidate, row.getString("pin_hash"));
      return ok && Codes.plausiblePin(pin);
    }).compose(ok -> {
      if (!ok) {
        perCode.recordFailure(codeKey);
        perStore.recordFailure(storeKey);
        perSource.recordFailure(sourceKey);
        overall.recordFailure(OVERALL);
        return Future.succeededFuture(new Result(Outcome.INVALID_CODE_OR_PIN, 0, 0, 0, 0));
      }
      perCode.reset(codeKey);
      long certificateId = row.getLong("id");
      long account = row.getLong("account_id");
      if (!"ACTIVE".equals(row.getString("status"))) {
        return ledger.balance(account).map(b -> new Result(Outcome.NOT_REDEEMABLE, 0, b, certificateId, 0));
      }
      return transfer(certificateId, account, a);
    }));
  }

  private Future<Result> transfer(long certificateId, long certificateAccount, Attempt a) {
    String key = "redeem:store:" + a.storeId() + ":txn:" + a.transactionId();
    String reference = (a.storeId() == 0 ? "online checkout " : "store " + a.storeId() + " ") + "txn " + a.transactionId();
    String safeReference = reference.length() > 128 ? reference.substring(0, 128) : reference;
    return ledger.storeAccount(a.storeId()).compose(store -> ledger.redeem(certificateAccount, store.id(), a.amountWon(),
            key, safeReference))
        .compose(r -> {
          if (r.applied()) {
            return pool.preparedQuery("INSERT INTO certificates.redemption (certificate_id, store_id, channel, transaction_id,"
                    + " amount_won, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (store_id, transaction_id) DO NOTHING")
                .execute(Tuple.of(certificateId, a.storeId(), a.storeId() == 0 ? "ONLINE" : "POS", a.transactionId(),
                    a.amountWon(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)))
                .compose(v -> ledger.balance(certificateAccount))
                .map(b -> new Result(Outcome.APPROVED, a.amountWon(), b, certificateId, 0));
          }
          Outcome o = switch (r) {
            case EXCEEDS_CREDITS -> Outcome.INSUFFICIENT_BALANCE;
            case EXISTS_WITH_DIFFERENT_AMOUNT, EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID, EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID,
                 EXISTS_WITH_DIFFERENT_REFERENCE, EXISTS_WITH_DIFFERENT_CODE, EXISTS_WITH_DIFFERENT_FLAGS -> Outcome.TRANSACTION_ID_REUSED;
            default -> throw new IllegalStateException("redemption transfer answered " + r);
          };
          return ledger.balance(certificateAccount).map(b -> new Result(o, 0, b, certificateId, 0));
        });
  }
}

package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Checks;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Deposits that bought nothing, owed back to their payer. {@link BankTransfers} records one (inside its
 * per-deposit transaction) when it refuses a deposit; {@link ReturnDispatcher} sends it through the bank provider
 * (OWED -> SENT -> CONFIRMED, or FAILED); operators retry a FAILED one or confirm it returned by other means. The
 * ledger is never touched: a refused deposit issued no certificate, so no value exists to move back.
 * Logs and metrics carry ids, reasons and amounts, never the payer's account or the buyer.
 */
final class DepositReturns {
  private static final Logger LOG = Logger.getLogger(DepositReturns.class.getName());
  static final int PAGE_ROWS_MAX = 200;
  static final int PAGE_ROWS_DEFAULT = 50;
  /** Returns shown with one member's purchase history: far more than an honest buyer ever has. */
  static final int MEMBER_ROWS_MAX = 1_000;
  static final int RETURN_REFERENCE_LENGTH_MAX = 64;
  /** A return's time may be this far ahead of our clock (the provider's clock is not ours). */
  static final Duration RETURNED_AT_SKEW_MAX = Duration.ofMinutes(5);
  private static final String UNIQUE_VIOLATION = "23505";

  /** Why a deposit is owed back. */
  enum Reason { LATE, WRONG_AMOUNT, ALREADY_PAID, UNKNOWN_ORDER, NOT_PAYABLE }

  /** OWED: to be sent (or being retried); SENT: the provider took it; CONFIRMED: the money went back; FAILED: held up. */
  enum Status { OWED, SENT, CONFIRMED, FAILED }

  /**
   * Why a return is FAILED: the provider (or the payer's bank) refused it, never answered any attempt, or kept
   * saying it does not know the instruction after it was sent again ({@link ReturnDispatcher#UNKNOWN_RESENDS_MAX}).
   */
  enum Failure { REFUSED, UNREACHABLE, UNKNOWN_TO_PROVIDER;

    /** Whether the provider may hold the instruction after all: a retry keeps its id, and its notice still counts. */
    boolean providerMayHaveIt() {
      return this != REFUSED;
    }
  }

  /** Outcome of a manual confirmation, in precedence order. */
  enum Confirmed { NO_SUCH_RETURN, RETURNED_UNDER_ANOTHER_REFERENCE, NOT_FAILED, REFERENCE_USED_BY_ANOTHER_RETURN,
    RETURNED_AT_OUT_OF_RANGE, ALREADY_RETURNED, RETURNED }

  record Confirmation(Confirmed outcome, DepositReturn depositReturn) { }

  /** Outcome of an operator's retry. */
  enum Retried { NO_SUCH_RETURN, NOT_FAILED, RETRYING }

  record Retry(Retried outcome, DepositReturn depositReturn) { }

  /** One owed (or sent, returned, failed) deposit as stored. */
  record DepositReturn(long id, String depositId, String reference, Long purchaseId, Long memberId, long amountWon,
                       String payerAccount, Reason reason, String detail, Status status, Instant receivedAt,
                       String returnReference, Instant returnedAt, String confirmedBy, int sendRound, int attempts,
                       Instant nextAttemptAt, String lastError, Instant sentAt, Failure failure, String failureReason,
                       int unknownResends) {
    DepositReturn {
      Checks.invariant(amountWon > 0, "a deposit return is positive", depositId);
      Checks.invariant((status == Status.CONFIRMED) == (returnedAt != null), "confirmed iff it has a return time", depositId);
      Checks.invariant(status != Status.SENT && status != Status.CONFIRMED || returnReference != null,
          "sent and confirmed returns have the provider's reference", depositId);
      Checks.invariant((status == Status.FAILED) == (failure != null), "failed iff it has a failure", depositId);
      Checks.invariant((purchaseId == null) == (reason == Reason.UNKNOWN_ORDER), "only an unknown order has no purchase", depositId);
    }

    static DepositReturn of(Row r) {
      String failure = r.getString("failure");
      return new DepositReturn(r.getLong("id"), r.getString("deposit_id"), r.getString("reference"), r.getLong("purchase_id"),
          r.getLong("member_id"), r.getLong("amount_won"), r.getString("payer_account"), Reason.valueOf(r.getString("reason")),
          r.getString("detail"), Status.valueOf(r.getString("status")), r.getOffsetDateTime("received_at").toInstant(),
          r.getString("return_reference"), instant(r, "returned_at"), r.getString("confirmed_by"), r.getInteger("send_round"),
          r.getInteger("attempts"), instant(r, "next_attempt_at"), r.getString("last_error"), instant(r, "sent_at"),
          failure == null ? null : Failure.valueOf(failure), r.getString("failure_reason"), r.getInteger("unknown_resends"));
    }

    /** The provider's idempotency key of this return's current instruction: a new one only after a refusal. */
    String instructionId() {
      return "dr-" + id + "-" + sendRound;
    }

    /** What the buyer sees on their order: the money, why, and where the return stands (the account masked). */
    JsonObject forBuyer() {
      String note = switch (status) {
        case OWED -> "received; being returned to the account it came from";
        case SENT -> "sent back to the account it came from; waiting for the bank's confirmation";
        case CONFIRMED -> "returned to the account it came from";
        case FAILED -> "the return is held up at the bank; our operators will contact you";
      };
      return new JsonObject().put("amountWon", amountWon).put("reason", reason.name()).put("status", status.name())
          .put("payerAccount", masked(payerAccount)).put("receivedAt", receivedAt.toString())
          .put("sentAt", sentAt == null ? null : sentAt.toString())
          .put("returnedAt", returnedAt == null ? null : returnedAt.toString()).put("returnReference", returnReference)
          .put("note", note);
    }

    /** What the provider's notice answer carries: the record's id and decision (not its progress), nothing personal. */
    JsonObject forNotice() {
      return new JsonObject().put("id", id).put("reason", reason.name()).put("amountWon", amountWon);
    }

    /** Everything, for operators: they need the payer's account to follow the money. */
    JsonObject forOperator() {
      return new JsonObject().put("id", id).put("depositId", depositId).put("reference", reference).put("purchaseId", purchaseId)
          .put("memberId", memberId).put("amountWon", amountWon).put("payerAccount", payerAccount).put("reason", reason.name())
          .put("detail", detail).put("status", status.name()).put("receivedAt", receivedAt.toString())
          .put("instructionId", instructionId()).put("attempts", attempts)
          .put("nextAttemptAt", status == Status.OWED && nextAttemptAt != null ? nextAttemptAt.toString() : null)
          .put("lastError", lastError).put("sentAt", sentAt == null ? null : sentAt.toString())
          .put("failure", failure == null ? null : failure.name()).put("failureReason", failureReason)
          .put("unknownResends", unknownResends)
          .put("returnReference", returnReference).put("returnedAt", returnedAt == null ? null : returnedAt.toString())
          .put("confirmedBy", confirmedBy);
    }
  }

  private static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }

  /** "…3456": enough for the buyer to recognise their account, too little to be of use to anyone else. */
  static String masked(String account) {
    String digits = account.replaceAll("[^0-9]", "");
    return digits.length() < 4 ? "" : "…" + digits.substring(digits.length() - 4);
  }

  private final Pool pool;
  private final Clock clock;
  private final MeterRegistry metrics;

  DepositReturns(Pool pool, Clock clock, MeterRegistry metrics) {
    this.pool = pool;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** The return recorded for this provider deposit id, or null; on {@code c} (inside the caller's transaction). */
  Future<DepositReturn> find(SqlClient c, String depositId) {
    return c.preparedQuery("SELECT * FROM certificates.deposit_return WHERE deposit_id = $1").execute(Tuple.of(depositId))
        .map(rows -> rows.size() == 0 ? null : DepositReturn.of(rows.iterator().next()));
  }

  /**
   * Records the deposit as owed back, once: the caller holds the deposit's lock, so a concurrent copy of the same
   * notice finds this row instead. Logs and counts only a new row.
   */
  Future<DepositReturn> owe(SqlClient c, PaymentProvider.Deposit d, Long purchaseId, Long memberId, Reason reason, String detail,
                            Instant at) {
    return c.preparedQuery("INSERT INTO certificates.deposit_return (deposit_id, reference, purchase_id, member_id, amount_won,"
            + " payer_account, reason, detail, status, received_at, next_attempt_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'OWED', $9, $9)"
            + " ON CONFLICT (deposit_id) DO NOTHING RETURNING *")
        .execute(Tuple.of(d.depositId(), d.reference(), purchaseId, memberId, d.amountWon(), d.payerAccount(), reason.name(),
            detail, utc(at)))
        .compose(rows -> {
          if (rows.size() == 0) return find(c, d.depositId());
          DepositReturn r = DepositReturn.of(rows.iterator().next());
          LOG.info("deposit return " + r.id() + " owed: " + reason + ", " + r.amountWon() + " won"
              + (purchaseId == null ? ", no order" : ", purchase " + purchaseId));
          metrics.counter("certificates_deposit_returns_owed", "reason", reason.name()).increment();
          metrics.counter("certificates_deposit_returns_owed_won", "reason", reason.name()).increment(r.amountWon());
          return Future.succeededFuture(r);
        });
  }

  /** The returns of one purchase of {@code memberId}, oldest first (the buyer's view of their order). */
  Future<List<DepositReturn>> ofPurchase(long memberId, long purchaseId) {
    return pool.preparedQuery("SELECT * FROM certificates.deposit_return WHERE purchase_id = $1 AND member_id = $2 ORDER BY id")
        .execute(Tuple.of(purchaseId, memberId)).map(DepositReturns::all);
  }

  /** The member's returns, newest first, at most {@link #MEMBER_ROWS_MAX} (their purchase history shows them). */
  Future<List<DepositReturn>> ofMember(long memberId) {
    return pool.preparedQuery("SELECT * FROM certificates.deposit_return WHERE member_id = $1 ORDER BY id DESC LIMIT " + MEMBER_ROWS_MAX)
        .execute(Tuple.of(memberId)).map(DepositReturns::all);
  }

  /** A page for operators: by status (null: all), ids after {@code afterId}, at most {@code limit} rows. */
  Future<List<DepositReturn>> page(Status status, long afterId, int limit) {
    Checks.invariant(limit >= 1 && limit <= PAGE_ROWS_MAX, "page size within bounds", limit);
    return pool.preparedQuery("SELECT * FROM certificates.deposit_return WHERE id > $1 AND ($2::text IS NULL OR status = $2)"
            + " ORDER BY id LIMIT $3").execute(Tuple.of(afterId, status == null ? null : status.name(), limit))
        .map(DepositReturns::all);
  }

  /**
   * The manual fallback: a FAILED return (the provider refused it or never answered) that an operator sent back by
   * other means, under {@code returnReference} at {@code returnedAt}. Only FAILED ones: an OWED or SENT return is in
   * the provider's hands, and confirming it by hand could pay the payer twice. Idempotent: the same reference
   * again changes nothing; another reference for a returned deposit is refused. No time: now.
   */
  Future<Confirmation> confirm(long id, String returnReference, Instant returnedAtOrNull, String operator) {
    Instant returnedAt = returnedAtOrNull == null ? clock.instant() : returnedAtOrNull;
    return byId(id).compose(before -> {
      if (before == null) return Future.succeededFuture(new Confirmation(Confirmed.NO_SUCH_RETURN, null));
      if (before.status() == Status.CONFIRMED) return Future.succeededFuture(repeated(before, returnReference));
      if (before.status() != Status.FAILED) return Future.succeededFuture(new Confirmation(Confirmed.NOT_FAILED, before));
      if (returnedAt.isBefore(before.receivedAt()) || returnedAt.isAfter(clock.instant().plus(RETURNED_AT_SKEW_MAX))) {
        return Future.succeededFuture(new Confirmation(Confirmed.RETURNED_AT_OUT_OF_RANGE, before));
      }
      return pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'CONFIRMED', return_reference = $2,"
              + " returned_at = $3, confirmed_by = $4, failure = NULL, failure_reason = NULL, next_attempt_at = NULL"
              + " WHERE id = $1 AND status = 'FAILED' RETURNING *")
          .execute(Tuple.of(id, returnReference, utc(returnedAt), operator))
          .compose(u -> {
            if (u.size() == 0) return confirm(id, returnReference, returnedAt, operator); // it moved meanwhile: answer again
            DepositReturn r = DepositReturn.of(u.iterator().next());
            LOG.info("deposit return " + id + " confirmed returned by hand: " + r.reason() + ", " + r.amountWon() + " won");
            metrics.counter("certificates_deposit_returns_confirmed", "reason", r.reason().name(), "by", "operator").increment();
            return Future.succeededFuture(new Confirmation(Confirmed.RETURNED, r));
          })
          .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
              ? Future.succeededFuture(new Confirmation(Confirmed.REFERENCE_USED_BY_ANOTHER_RETURN, before))
              : Future.failedFuture(e));
    });
  }

  /**
   * An operator sends a FAILED return again: back to OWED, due now, with fresh attempts. After a refusal the
   * instruction gets a new id (the provider would repeat its refusal for the old one; the refused one moved no
   * money); after no answer, or after the provider kept saying it did not know the instruction, it keeps its id,
   * since the provider may have taken it and must not pay twice.
   */
  Future<Retry> retry(long id) {
    return pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'OWED', attempts = 0, next_attempt_at = $2,"
            + " send_round = send_round + CASE WHEN failure = 'REFUSED' THEN 1 ELSE 0 END, failure = NULL,"
            + " failure_reason = NULL, return_reference = NULL, sent_at = NULL, last_error = NULL, checked_at = NULL, unknown_resends = 0"
            + " WHERE id = $1 AND status = 'FAILED' RETURNING *").execute(Tuple.of(id, utc(clock.instant())))
        .compose(u -> {
          if (u.size() == 1) {
            LOG.info("deposit return " + id + " to be sent again");
            return Future.succeededFuture(new Retry(Retried.RETRYING, DepositReturn.of(u.iterator().next())));
          }
          return byId(id).map(r -> new Retry(r == null ? Retried.NO_SUCH_RETURN : Retried.NOT_FAILED, r));
        });
  }

  Future<DepositReturn> byId(long id) {
    return pool.preparedQuery("SELECT * FROM certificates.deposit_return WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : DepositReturn.of(rows.iterator().next()));
  }

  private static Confirmation repeated(DepositReturn r, String returnReference) {
    return new Confirmation(r.returnReference().equals(returnReference) ? Confirmed.ALREADY_RETURNED
        : Confirmed.RETURNED_UNDER_ANOTHER_REFERENCE, r);
  }

  static JsonArray json(List<DepositReturn> list, java.util.function.Function<DepositReturn, JsonObject> view) {
    JsonArray a = new JsonArray();
    for (DepositReturn r : list) a.add(view.apply(r));
    return a;
  }

  private static List<DepositReturn> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<DepositReturn> out = new ArrayList<>();
    for (Row r : rows) out.add(DepositReturn.of(r));
    return out;
  }

  static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }
}

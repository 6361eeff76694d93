package dev.mileage.gateway.certificates;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import static dev.mileage.gateway.certificates.DepositReturns.utc;

/**
 * Sends owed deposit returns through the bank provider and records its answers. A run claims the due OWED rows
 * (FOR UPDATE SKIP LOCKED, then leased for {@link #lease()} by moving their due time), so runs on any number of
 * threads or gateways never send one row at once; a gateway that dies mid-send leaves the row to be sent again
 * after the lease, under the same instruction id, which the provider answers with its first answer: money goes
 * back once. Accepted: SENT with the provider's reference. Refused: FAILED with the reason. No answer (5xx,
 * timeout, unsigned): retried with exponential backoff, at most {@link #ATTEMPTS_MAX} times, then FAILED
 * (UNREACHABLE). The provider's signed settlement notice then makes it CONFIRMED (or FAILED, refused by the bank);
 * a SENT return whose notice is late is asked about ({@link #reconcile}), since webhooks get lost. When the provider
 * answers that it does not know the instruction (it never took it, or lost it), the return is OWED again under the
 * same instruction id, which the provider cannot pay twice, at most {@link #UNKNOWN_RESENDS_MAX} times; then FAILED
 * (UNKNOWN_TO_PROVIDER) for an operator. A status query without a trustworthy answer leaves it SENT, asked again later.
 * Nothing here touches the ledger.
 */
final class ReturnDispatcher {
  private static final Logger LOG = Logger.getLogger(ReturnDispatcher.class.getName());
  static final int BATCH_MAX = 50;
  static final int ATTEMPTS_MAX = 8;
  static final Duration BACKOFF_BASE = Duration.ofSeconds(10);
  static final Duration BACKOFF_MAX = Duration.ofMinutes(30);
  static final int ERROR_LENGTH_MAX = 200;
  static final String CONFIRMED_BY_PROVIDER = "bank-provider";
  /** A SENT return without a settlement notice for this long is asked about (and again after as long). */
  static final Duration RECONCILE_AFTER = Duration.ofMinutes(30);
  /**
   * Times a SENT return is sent again because the provider said it did not know the instruction; its next such
   * answer makes it FAILED: a provider that keeps losing one instruction needs a person.
   */
  static final int UNKNOWN_RESENDS_MAX = 3;

  /** The answer to a settlement notice, in precedence order. */
  enum Settled { BAD_SIGNATURE, NO_SUCH_RETURN, MISMATCH, CONFLICT, ALREADY_SETTLED, CONFIRMED, FAILED }

  record SettleResult(Settled outcome, String reason) { }

  private final Pool pool;
  private final Clock clock;
  private final BankProvider bank;
  private final Duration timeout;
  private final MeterRegistry metrics;

  ReturnDispatcher(Pool pool, Clock clock, BankProvider bank, Duration timeout, MeterRegistry metrics) {
    this.pool = pool;
    this.clock = clock;
    this.bank = bank;
    this.timeout = timeout;
    this.metrics = metrics;
  }

  /** How long a claimed row is left alone: longer than one send can take. */
  Duration lease() {
    return timeout.multipliedBy(3);
  }

  static Duration backoff(int attempts) {
    Duration d = BACKOFF_BASE.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 20));
    return d.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : d;
  }

  /** Sends what is due now, without waiting (after a return is recorded or retried). */
  void kick() {
    dispatchDue().onFailure(e -> LOG.warning("deposit-return dispatch failed: " + e.getClass().getSimpleName()));
  }

  /** The timer's turn: sends what is due and asks about returns whose settlement notice is late. */
  void tick() {
    kick();
    reconcile().onFailure(e -> LOG.warning("deposit-return reconciliation failed: " + e.getClass().getSimpleName()));
  }

  /**
   * Asks the provider where SENT returns stand whose settlement notice has not come within {@link #RECONCILE_AFTER}
   * of the send (or of the last question): notices get lost. A settled answer is applied as its notice would be; an
   * UNKNOWN one sends the return again (same instruction id) or, past {@link #UNKNOWN_RESENDS_MAX}, fails it; a
   * pending or untrustworthy answer (timeout, 5xx, unsigned) leaves it SENT. Answers how many were settled.
   */
  Future<Integer> reconcile() {
    Instant now = clock.instant();
    return pool.preparedQuery("UPDATE certificates.deposit_return SET checked_at = $1 WHERE id IN (SELECT id FROM"
            + " certificates.deposit_return WHERE status = 'SENT' AND COALESCE(checked_at, sent_at) <= $2 ORDER BY id"
            + " LIMIT " + BATCH_MAX + " FOR UPDATE SKIP LOCKED) AND status = 'SENT' RETURNING *")
        .execute(Tuple.of(utc(now), utc(now.minus(RECONCILE_AFTER))))
        .compose(rows -> {
          List<Future<Asked>> asked = new ArrayList<>();
          for (Row row : rows) {
            var r = DepositReturns.DepositReturn.of(row);
            asked.add(bank.status(r.instructionId(), r.id()).compose(answer -> {
              metrics.counter("certificates_deposit_return_status_answers", "standing", answer.standing().name()).increment();
              return switch (answer.standing()) {
                case SETTLED -> apply(answer.settlement()).map(res -> res.outcome() == Settled.CONFIRMED
                    || res.outcome() == Settled.FAILED ? Asked.SETTLED : Asked.UNCHANGED);
                case UNKNOWN -> unknownToProvider(r).map(again -> again ? Asked.OWED_AGAIN : Asked.UNCHANGED);
                case PENDING -> Future.succeededFuture(Asked.UNCHANGED);
                case UNANSWERED -> {
                  LOG.fine(() -> "deposit return " + r.id() + ": status query not answered (" + answer.detail() + "); stays SENT");
                  yield Future.succeededFuture(Asked.UNCHANGED);
                }
              };
            }));
          }
          return Future.join(asked).transform(ar -> {
            int settled = 0;
            boolean owedAgain = false;
            for (Future<Asked> f : asked) {
              if (f.succeeded() && f.result() == Asked.SETTLED) settled++;
              if (f.succeeded() && f.result() == Asked.OWED_AGAIN) owedAgain = true;
            }
            if (owedAgain) kick();
            return Future.succeededFuture(settled);
          });
        });
  }

  /** What one status question did to its return. */
  private enum Asked { SETTLED, OWED_AGAIN, UNCHANGED }

  /**
   * The provider says it has no instruction with this return's id: OWED again, due now, under the same id (it cannot
   * pay one instruction id twice, so a copy it did take is answered, not paid again), unless it was sent again for
   * this {@link #UNKNOWN_RESENDS_MAX} times already: then FAILED for an operator. Only a row still SENT with the
   * reference we asked about moves (a notice may have settled it meanwhile). Answers whether it is OWED again.
   */
  private Future<Boolean> unknownToProvider(DepositReturns.DepositReturn r) {
    Instant now = clock.instant();
    if (r.unknownResends() >= UNKNOWN_RESENDS_MAX) {
      String reason = "the bank provider says it does not know instruction " + r.instructionId() + " (reference "
          + r.returnReference() + "), also after it was sent again " + r.unknownResends() + " times; ask the provider"
          + " whether the money went back, then retry (same instruction id) or confirm it returned by hand";
      return pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'FAILED', failure = 'UNKNOWN_TO_PROVIDER',"
              + " failure_reason = $4, next_attempt_at = NULL WHERE id = $1 AND send_round = $2 AND status = 'SENT'"
              + " AND return_reference = $3")
          .execute(Tuple.of(r.id(), r.sendRound(), r.returnReference(), reason)).map(u -> {
            if (u.rowCount() == 1) {
              LOG.warning("deposit return " + r.id() + " failed: UNKNOWN_TO_PROVIDER after " + r.unknownResends()
                  + " re-sends (" + r.amountWon() + " won); an operator must check it with the provider");
              metrics.counter("certificates_deposit_returns_failed", "failure", "UNKNOWN_TO_PROVIDER").increment();
            }
            return false;
          });
    }
    int resends = r.unknownResends() + 1;
    String error = "the bank provider did not know instruction " + r.instructionId() + " when asked; sent again under the"
        + " same id (" + resends + " of " + UNKNOWN_RESENDS_MAX + ")";
    return pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'OWED', return_reference = NULL, sent_at = NULL,"
            + " checked_at = NULL, attempts = 0, next_attempt_at = $4, last_error = $5, unknown_resends = $6"
            + " WHERE id = $1 AND send_round = $2 AND status = 'SENT' AND return_reference = $3")
        .execute(Tuple.of(r.id(), r.sendRound(), r.returnReference(), utc(now), error, resends)).map(u -> {
          if (u.rowCount() == 1) {
            LOG.warning("deposit return " + r.id() + ": the bank provider does not know instruction " + r.instructionId()
                + "; sent again under the same id (" + resends + " of " + UNKNOWN_RESENDS_MAX + ")");
            metrics.counter("certificates_deposit_return_unknown_resends").increment();
          }
          return u.rowCount() == 1;
        });
  }

  /** Sends every due OWED return (at most {@link #BATCH_MAX}); answers how many the provider accepted. */
  Future<Integer> dispatchDue() {
    Instant now = clock.instant();
    return pool.preparedQuery("UPDATE certificates.deposit_return SET next_attempt_at = $2 WHERE id IN (SELECT id FROM"
            + " certificates.deposit_return WHERE status = 'OWED' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id"
            + " LIMIT " + BATCH_MAX + " FOR UPDATE SKIP LOCKED) AND status = 'OWED' RETURNING *")
        .execute(Tuple.of(utc(now), utc(now.plus(lease()))))
        .compose(rows -> {
          List<Future<Boolean>> sent = new ArrayList<>();
          for (Row r : rows) sent.add(send(DepositReturns.DepositReturn.of(r)));
          return countTrue(sent);
        });
  }

  /** Once every one has ended: how many ended true (a failed one counts as false). */
  private static Future<Integer> countTrue(List<Future<Boolean>> outcomes) {
    return Future.join(outcomes).transform(ar -> {
      int n = 0;
      for (Future<Boolean> f : outcomes) if (f.succeeded() && f.result()) n++;
      return Future.succeededFuture(n);
    });
  }

  private Future<Boolean> send(DepositReturns.DepositReturn r) {
    var instruction = new BankProvider.Instruction(r.instructionId(), r.id(), r.amountWon(), r.payerAccount(), r.depositId());
    return bank.send(instruction).compose(reply -> {
      Instant now = clock.instant();
      metrics.counter("certificates_deposit_return_sends", "answer", reply.answer().name()).increment();
      return switch (reply.answer()) {
        case ACCEPTED -> pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'SENT', return_reference = $3,"
                + " sent_at = $4, last_error = NULL, next_attempt_at = NULL WHERE id = $1 AND send_round = $2 AND status = 'OWED'")
            .execute(Tuple.of(r.id(), r.sendRound(), reply.reference(), utc(now))).map(u -> {
              LOG.info("deposit return " + r.id() + " sent through the bank provider: " + r.amountWon() + " won");
              return true;
            });
        case REFUSED -> fail(r, DepositReturns.Failure.REFUSED, reply.detail(), r.attempts()).map(false);
        case UNANSWERED -> {
          int attempts = r.attempts() + 1;
          String error = reply.detail().length() > ERROR_LENGTH_MAX ? reply.detail().substring(0, ERROR_LENGTH_MAX) : reply.detail();
          if (attempts >= ATTEMPTS_MAX) {
            yield fail(r, DepositReturns.Failure.UNREACHABLE, "the bank provider did not answer " + attempts
                + " attempts (last: " + error + "); it may still have the instruction, a retry keeps its id", attempts).map(false);
          }
          LOG.fine(() -> "deposit return " + r.id() + " not answered (attempt " + attempts + "): " + error);
          yield pool.preparedQuery("UPDATE certificates.deposit_return SET attempts = $3, next_attempt_at = $4, last_error = $5"
                  + " WHERE id = $1 AND send_round = $2 AND status = 'OWED'")
              .execute(Tuple.of(r.id(), r.sendRound(), attempts, utc(now.plus(backoff(attempts))), error)).map(false);
        }
      };
    }).recover(e -> {
      LOG.warning("deposit return " + r.id() + " send not recorded: " + e.getClass().getSimpleName());
      return Future.succeededFuture(false);
    });
  }

  /** An OWED return of this round becomes FAILED (nothing when a notice or another run moved it on). */
  private Future<Void> fail(DepositReturns.DepositReturn r, DepositReturns.Failure failure, String reason, int attempts) {
    return pool.preparedQuery("UPDATE certificates.deposit_return SET status = 'FAILED', failure = $3, failure_reason = $4,"
            + " attempts = $5, next_attempt_at = NULL WHERE id = $1 AND send_round = $2 AND status = 'OWED'")
        .execute(Tuple.of(r.id(), r.sendRound(), failure.name(), reason, attempts)).map(u -> {
          if (u.rowCount() == 1) {
            LOG.warning("deposit return " + r.id() + " failed: " + failure + " (" + r.amountWon() + " won); an operator may retry it");
            metrics.counter("certificates_deposit_returns_failed", "failure", failure.name()).increment();
          }
          return null;
        });
  }

  /**
   * The provider's signed settlement notice. Decided under the row's lock: COMPLETED confirms an OWED, SENT,
   * UNREACHABLE- or UNKNOWN_TO_PROVIDER-failed return of that instruction (the provider may have taken an instruction
   * whose answer we never read, or found one it had lost), REFUSED fails it; a repeat is answered as already
   * settled; anything that disagrees with the record (amount, instruction, reference) changes nothing.
   */
  Future<SettleResult> settle(String payload, String signature) {
    var verified = bank.verify(payload, signature);
    if (verified.isEmpty()) return Future.succeededFuture(new SettleResult(Settled.BAD_SIGNATURE, "the notice's signature is not the bank provider's"));
    return apply(verified.get());
  }

  /** A settlement the provider reported (by notice or by a status answer), decided under the row's lock. */
  private Future<SettleResult> apply(BankProvider.Settlement s) {
    return pool.withTransaction(c -> c.preparedQuery("SELECT * FROM certificates.deposit_return WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(s.returnId())).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(new SettleResult(Settled.NO_SUCH_RETURN, "no deposit return with this id"));
          var r = DepositReturns.DepositReturn.of(rows.iterator().next());
          if (r.amountWon() != s.amountWon() || !r.instructionId().equals(s.instructionId())) {
            LOG.warning("deposit return " + r.id() + ": a settlement notice for another instruction or amount was ignored");
            return Future.succeededFuture(new SettleResult(Settled.MISMATCH, "the notice's instruction or amount is not this return's"));
          }
          if (r.status() == DepositReturns.Status.CONFIRMED) {
            if (s.completed() && s.reference().equals(r.returnReference())) {
              return Future.succeededFuture(new SettleResult(Settled.ALREADY_SETTLED, "already confirmed"));
            }
            if (s.completed()) { // e.g. confirmed by hand after no answer, yet the provider did send it: paid twice?
              LOG.warning("deposit return " + r.id() + ": the bank provider reports it returned, but it was confirmed under"
                  + " another reference (by " + r.confirmedBy() + "); check for a double return of " + r.amountWon() + " won");
              metrics.counter("certificates_deposit_return_conflicts").increment();
            }
            return Future.succeededFuture(new SettleResult(Settled.CONFLICT, "the return was already confirmed under another reference"));
          }
          boolean open = r.status() == DepositReturns.Status.OWED || r.status() == DepositReturns.Status.SENT
              || r.failure() != null && r.failure().providerMayHaveIt();
          if (!open) {
            return Future.succeededFuture(s.completed() ? new SettleResult(Settled.CONFLICT, "the return was refused before")
                : new SettleResult(Settled.ALREADY_SETTLED, "already refused"));
          }
          if (r.status() == DepositReturns.Status.SENT && s.completed() && !s.reference().equals(r.returnReference())) {
            return Future.succeededFuture(new SettleResult(Settled.MISMATCH, "the notice's reference is not the one the provider gave"));
          }
          Instant now = clock.instant();
          if (s.completed()) {
            return c.preparedQuery("UPDATE certificates.deposit_return SET status = 'CONFIRMED', return_reference = $2,"
                    + " returned_at = $3, confirmed_by = $4, sent_at = COALESCE(sent_at, $3), failure = NULL, failure_reason = NULL,"
                    + " next_attempt_at = NULL WHERE id = $1")
                .execute(Tuple.of(r.id(), s.reference(), utc(now), CONFIRMED_BY_PROVIDER)).map(u -> {
                  LOG.info("deposit return " + r.id() + " confirmed by the bank provider: " + r.amountWon() + " won");
                  metrics.counter("certificates_deposit_returns_confirmed", "reason", r.reason().name(), "by", "provider").increment();
                  return new SettleResult(Settled.CONFIRMED, "confirmed");
                });
          }
          return c.preparedQuery("UPDATE certificates.deposit_return SET status = 'FAILED', failure = 'REFUSED', failure_reason = $2,"
                  + " next_attempt_at = NULL WHERE id = $1").execute(Tuple.of(r.id(), s.reason())).map(u -> {
                LOG.warning("deposit return " + r.id() + " refused by the bank (" + r.amountWon() + " won); an operator may retry it");
                metrics.counter("certificates_deposit_returns_failed", "failure", "REFUSED").increment();
                return new SettleResult(Settled.FAILED, "recorded as refused");
              });
        }))
        .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? Future.succeededFuture(new SettleResult(Settled.CONFLICT, "this reference already confirms another return"))
            : Future.failedFuture(e));
  }
}

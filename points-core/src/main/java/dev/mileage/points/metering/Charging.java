package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Grants and settlements of the meter (meter thread only). The invariant after every confirmed step:
 * posted + reserved points of a session equal the tariff's price of its granted seconds, and the
 * granted seconds are a billing boundary. Every reservation and settlement is listed in a checkpoint
 * before it is sent, so a restarted meter knows every pending transfer a session may hold.
 */
final class Charging {
  /** Reserve attempts when concurrent sessions of one account race for the same balance. */
  static final int RESERVE_ATTEMPTS_MAX = 3;
  /** Settlement attempts before a session is left to the next start's recovery. */
  static final int SETTLE_ATTEMPTS_MAX = 5;
  static final long RETRY_BACKOFF_MS = 1000;
  /** Extra validity of a reservation beyond its expected life, for a slow ledger. */
  static final long VALIDITY_MARGIN_SECONDS = 60;

  private final DefaultMeter m;
  private final Map<Integer, Long> cashMicrosByType;
  private final Map<Integer, Long> revenueAccounts = new ConcurrentHashMap<>();

  Charging(DefaultMeter meter, Map<Integer, Long> cashMicrosByType) {
    this.m = meter;
    this.cashMicrosByType = Map.copyOf(cashMicrosByType);
  }

  // ---- authorize ------------------------------------------------------------------------------------

  CompletionStage<Authorization> authorize(AuthorizeRequest request, SessionListener listener) {
    if (m.closed || m.sessions.size() + m.authorizing >= m.options.sessionsMax()) {
      return refuse(AuthorizeResult.METER_FULL, null);
    }
    TariffBook book = m.tariffs.current();
    Rating rating = request.service() == ServiceKind.CALL ? book.rateCall(request.destination())
        : request.itemPointsPerMinute().isPresent()
        ? book.rateItem(request.contentKind(), request.itemPointsPerMinute().getAsLong())
        : book.rateStream(request.contentKind());
    switch (rating.result()) {
      case INVALID_NUMBER -> { return refuse(AuthorizeResult.INVALID_DESTINATION, rating); }
      case BLOCKED -> { return refuse(AuthorizeResult.BLOCKED_DESTINATION, rating); }
      case NO_TARIFF -> { return refuse(AuthorizeResult.NO_TARIFF, rating); }
      case RATED -> { }
    }
    if (!m.takeSlot(request.owner())) return refuse(AuthorizeResult.TOO_MANY_SESSIONS, rating);
    m.authorizing++;
    CompletableFuture<Authorization> answer = new CompletableFuture<>();
    answer.whenComplete((a, e) -> {
      m.authorizing--;
      if (e != null || !a.ok()) m.releaseSlot(request.owner());
      if (a != null && a.ok()) m.authorized++;
      else m.refused++;
    });
    choose(request, listener, rating, 1, answer);
    return answer;
  }

  private CompletionStage<Authorization> refuse(AuthorizeResult result, Rating rating) {
    m.refused++;
    return CompletableFuture.completedFuture(Authorization.refused(result, rating));
  }

  /** Picks the paying account: the asked type, or the tariff's first type that pays one increment. */
  private void choose(AuthorizeRequest request, SessionListener listener, Rating rating, int attempt,
                      CompletableFuture<Authorization> answer) {
    m.async(m.ledger.accountsOf(request.owner()), (accounts, error) -> {
      if (error != null) {
        answer.completeExceptionally(error);
        return;
      }
      boolean anyAccount = false;
      for (int type : rating.tariff().pointTypes()) {
        if (request.pointType() != 0 && request.pointType() != type) continue;
        Account account = accounts.stream().filter(a -> a.pointType() == type).findFirst().orElse(null);
        Tariff tariff = priced(rating.tariff(), type);
        if (account == null || tariff == null) continue;
        anyAccount = true;
        if (tariff.firstIncrementPoints() <= account.available()) {
          withRevenueAccount(type, answer, revenue ->
              open(request, listener, rating, tariff, account, revenue, attempt, answer));
          return;
        }
      }
      answer.complete(Authorization.refused(anyAccount ? AuthorizeResult.INSUFFICIENT_BALANCE
          : AuthorizeResult.NO_ACCOUNT, rating));
    });
  }

  /** The tariff in points of {@code type}, or null when that type's value is unknown. */
  private Tariff priced(Tariff tariff, int type) {
    Long from = cashMicrosByType.get(tariff.pointTypes().get(0));
    Long to = cashMicrosByType.get(type);
    if (from == null || to == null || from <= 0 || to <= 0) return null;
    return tariff.inPointType(type, from, to);
  }

  private void withRevenueAccount(int type, CompletableFuture<?> answer, java.util.function.LongConsumer then) {
    Long known = revenueAccounts.get(type);
    if (known != null) {
      then.accept(known);
      return;
    }
    m.async(m.ledger.openAccount(m.options.revenueOwner(), type, AccountFlags.NONE), (account, error) -> {
      if (error != null) {
        answer.completeExceptionally(error);
        return;
      }
      revenueAccounts.put(type, account.id());
      then.accept(account.id());
    });
  }

  private void open(AuthorizeRequest request, SessionListener listener, Rating rating, Tariff tariff,
                    Account account, long revenue, int attempt, CompletableFuture<Authorization> answer) {
    long now = m.clock.millis();
    long available = account.available();
    long cap = tariff.alignDown(Tariff.SESSION_SECONDS_MAX);
    long grant = Math.min(tariff.billedSeconds(m.options.grantSeconds()), cap);
    boolean last = grant == cap;
    if (tariff.pointsFor(grant) > available) {
      grant = tariff.maxSecondsFor(available);
      last = true;
    }
    Checks.invariant(grant > 0, "an authorized balance pays at least one increment");
    MeterSession s = new MeterSession(UUID.randomUUID(), request, listener, rating.matched() + " " + rating.label(),
        tariff, account.pointType(), account.id(), revenue, available, now);
    long maxSeconds = Math.max(grant, tariff.maxSecondsFor(available));
    long amount = tariff.pointsFor(grant);
    long grantSeconds = grant;
    boolean finalGrant = last;
    m.register(s);
    if (amount == 0) { // a free destination: nothing to reserve
      confirmFirst(s, grantSeconds, finalGrant, rating, maxSeconds, answer);
      return;
    }
    MeterSession.Chunk chunk = new MeterSession.Chunk(s.nextChunkNumber++, amount, grant);
    s.chunks.add(chunk);
    s.busy = true;
    Transfer reserve = reservation(s, chunk, true);
    // The checkpoint and the reservation are written at once: call set-up waits for one commit, not two in a
    // row. Either may be durable without the other after a crash: a checkpoint without its reservation is
    // settled by recovery (voiding nothing that exists), a reservation without a checkpoint expires by its
    // timeout. The session is authorized only when both are.
    FirstWrites writes = new FirstWrites();
    m.async(m.store.save(s.checkpoint(now)), (saved, saveError) -> {
      writes.saveError = saveError;
      writes.saveDone = true;
      if (writes.reserveDone) firstWritten(s, chunk, writes, request, listener, rating, grantSeconds, finalGrant, maxSeconds, attempt, answer);
    });
    m.async(m.ledger.submit(reserve), (result, error) -> {
      writes.result = result;
      writes.reserveError = error;
      writes.reserveDone = true;
      if (writes.saveDone) firstWritten(s, chunk, writes, request, listener, rating, grantSeconds, finalGrant, maxSeconds, attempt, answer);
    });
  }

  /** The two writes of an authorization, each answered on the meter's thread. */
  private static final class FirstWrites {
    boolean saveDone;
    Throwable saveError;
    boolean reserveDone;
    TransferResult result;
    Throwable reserveError;
  }

  private void firstWritten(MeterSession s, MeterSession.Chunk chunk, FirstWrites w, AuthorizeRequest request,
                            SessionListener listener, Rating rating, long grantSeconds, boolean finalGrant, long maxSeconds,
                            int attempt, CompletableFuture<Authorization> answer) {
    if (w.reserveError != null) { // nothing was applied (the ledger's contract): forget the session
      undoOpen(s);
      answer.completeExceptionally(w.reserveError);
      return;
    }
    TransferResult result = w.result;
    boolean reserved = result == TransferResult.OK || result == TransferResult.EXISTS;
    if (w.saveError != null) {
      // not authorized without its checkpoint: give the points back now rather than at the timeout
      if (reserved) releaseFirst(s, chunk);
      undoOpen(s);
      answer.completeExceptionally(w.saveError);
      return;
    }
    if (reserved) {
      chunk.confirmed = true;
      confirmFirst(s, grantSeconds, finalGrant, rating, maxSeconds, answer);
    } else if (result == TransferResult.EXCEEDS_CREDITS) {
      // another session of this account reserved meanwhile: start over with a fresh balance
      undoOpen(s);
      if (attempt >= RESERVE_ATTEMPTS_MAX) {
        answer.complete(Authorization.refused(AuthorizeResult.INSUFFICIENT_BALANCE, rating));
      } else {
        choose(request, listener, rating, attempt + 1, answer);
      }
    } else {
      throw new IllegalStateException("first reservation answered " + result);
    }
  }

  /** Voids the first reservation of a session that was not authorized; if that fails, its timeout releases it. */
  private void releaseFirst(MeterSession s, MeterSession.Chunk chunk) {
    m.async(m.ledger.submit(ChargeIds.settle(s.id, s.request.service(), chunk.number, 0)), (result, error) -> {
      if (error != null || !(result == TransferResult.OK || result == TransferResult.EXISTS)) {
        DefaultMeter.LOG.log(System.Logger.Level.WARNING, "first reservation not voided (" + (error != null ? error : result)
            + "); its timeout releases it");
      }
    });
  }

  /** The first reservation did not happen: forget the session and its checkpoint (no record: nothing happened). */
  private void undoOpen(MeterSession s) {
    m.sessions.remove(s.id);
    java.util.Set<MeterSession> set = m.byOwner.get(s.request.owner());
    if (set != null) {
      set.remove(s);
      if (set.isEmpty()) m.byOwner.remove(s.request.owner(), set);
    }
    m.async(m.store.discard(s.id), (v, e) -> {
      if (e != null) DefaultMeter.LOG.log(System.Logger.Level.WARNING, "checkpoint not discarded; recovery will: " + e);
    });
  }

  private void confirmFirst(MeterSession s, long grantSeconds, boolean finalGrant, Rating rating, long maxSeconds,
                            CompletableFuture<Authorization> answer) {
    s.busy = false;
    s.grantedSeconds = grantSeconds;
    s.finalUnit = finalGrant;
    s.publish();
    m.reschedule(s);
    answer.complete(new Authorization(AuthorizeResult.OK, s.id, rating, s.tariff, s.pointType, s.balanceBefore,
        maxSeconds, grantSeconds, Instant.ofEpochMilli(s.authorizedAtMs).plus(m.options.answerTimeout())));
  }

  /** A reservation lives until the renewal after next posts it (two grants), or the answer for the first. */
  private Transfer reservation(MeterSession s, MeterSession.Chunk chunk, boolean first) {
    long grantSeconds = chunk.endSeconds - s.grantedSeconds;
    long validity = 2 * grantSeconds + m.options.renewLead().toSeconds() + m.options.renewalGrace().toSeconds()
        + (2 * m.options.renewalMarginMs() + 999) / 1000 + VALIDITY_MARGIN_SECONDS + (first ? m.options.answerTimeout().toSeconds() : 0);
    return Transfer.reserve(ChargeIds.reserve(s.id, chunk.number), s.debitAccountId, s.creditAccountId, chunk.amount,
        (int) Math.min(Integer.MAX_VALUE, validity), ChargeIds.code(s.request.service()),
        ChargeIds.reference(s.id, chunk.number));
  }

  // ---- renew ----------------------------------------------------------------------------------------

  /**
   * Reserves the next grant and posts the chunks already used up. The request joins the tick's
   * {@link RenewalBatch}: the renewals of one tick reach the ledger as one request.
   *
   * @param dueMs    when the next grant should be confirmed (the renewal's lag is measured from here)
   * @param sendAtMs when the request was meant to leave (a margin before {@code dueMs})
   */
  void renew(MeterSession s, long dueMs, long sendAtMs) {
    s.renewFiredNanos = System.nanoTime();
    s.renewWheelMicros = Math.max(0, m.clock.millis() - sendAtMs) * 1000;
    long cap = s.tariff.alignDown(Tariff.SESSION_SECONDS_MAX);
    if (s.grantedSeconds >= cap) {
      becomeFinal(s);
      afterOp(s);
      return;
    }
    long next = Math.min(s.tariff.billedSeconds(s.grantedSeconds + m.options.grantSeconds()), cap);
    long amount = s.tariff.pointsFor(next) - s.tariff.pointsFor(s.grantedSeconds);
    long now = m.clock.millis();
    long usedSeconds = s.usedMs(now) / 1000;
    List<MeterSession.Chunk> posting = s.renewPosting;
    posting.clear();
    for (MeterSession.Chunk c : s.chunks) {
      if (c.confirmed && c.postAmount < 0 && c.endSeconds <= usedSeconds) {
        c.postAmount = c.amount;
        posting.add(c);
      }
    }
    if (amount == 0) {
      posting.clear();
      s.grantedSeconds = next;
      afterOp(s);
      return;
    }
    MeterSession.Chunk chunk = new MeterSession.Chunk(s.nextChunkNumber++, amount, next);
    s.chunks.add(chunk);
    s.renewChunk = chunk;
    s.renewDueMs = dueMs;
    s.busy = true;
    s.renewing = true;
    m.reschedule(s); // the grace deadline, in case the answer is late
    m.renewalBatch.begin(s, posting.size() + 1); // with the checkpoint that lists the new chunk
    for (MeterSession.Chunk c : posting) m.renewalBatch.transfer(ChargeIds.settle(s.id, s.request.service(), c.number, c.amount));
    m.renewalBatch.transfer(reservation(s, chunk, false));
  }

  /** The ledger answered the batch holding this session's renewal ({@code from}: its first result). */
  void renewAnswered(MeterSession s, List<TransferResult> results, int from, Throwable error) {
    List<MeterSession.Chunk> posting = s.renewPosting;
    MeterSession.Chunk chunk = s.renewChunk;
    s.renewChunk = null;
    if (error != null) {
      renewalFailed(s, posting, chunk, error);
      posting.clear();
      return;
    }
    for (int i = 0; i < posting.size(); i++) applySettlement(s, posting.get(i), results.get(from + i));
    TransferResult reserved = results.get(from + posting.size());
    posting.clear();
    if (reserved.applied()) {
      chunk.confirmed = true;
      s.grantedSeconds = chunk.endSeconds;
      m.renewed(s, s.renewDueMs);
      if (chunk.endSeconds == s.tariff.alignDown(Tariff.SESSION_SECONDS_MAX)) becomeFinal(s);
      afterOp(s);
    } else if (reserved == TransferResult.EXCEEDS_CREDITS) {
      s.chunks.remove(chunk);
      finalGrant(s, s.renewDueMs, 1);
    } else {
      throw new IllegalStateException("renewal answered " + reserved);
    }
  }

  private void renewalFailed(MeterSession s, List<MeterSession.Chunk> posting, MeterSession.Chunk chunk,
                             Throwable error) {
    // nothing of the request was applied: the same decisions are retried later with the same ids
    for (MeterSession.Chunk c : posting) c.postAmount = -1;
    s.chunks.remove(chunk);
    m.renewalFailures++;
    s.backoffUntilMs = m.clock.millis() + RETRY_BACKOFF_MS;
    DefaultMeter.LOG.log(System.Logger.Level.WARNING, "renewal failed, retrying: " + error);
    afterOp(s);
  }

  /** No further full grant fits: grant exactly what the balance still pays for, and mark it final. */
  private void finalGrant(MeterSession s, long dueMs, int attempt) {
    m.async(m.ledger.account(s.debitAccountId), (account, error) -> {
      if (error != null) {
        renewalFailed(s, List.of(), null, error);
        return;
      }
      long available = DefaultMeter.requireAccount(account).available();
      long cap = s.tariff.alignDown(Tariff.SESSION_SECONDS_MAX);
      long affordable = Math.min(cap, s.tariff.maxSecondsFor(s.tariff.pointsFor(s.grantedSeconds) + available));
      if (affordable <= s.grantedSeconds) {
        becomeFinal(s);
        afterOp(s);
        return;
      }
      long amount = s.tariff.pointsFor(affordable) - s.tariff.pointsFor(s.grantedSeconds);
      MeterSession.Chunk chunk = new MeterSession.Chunk(s.nextChunkNumber++, amount, affordable);
      s.chunks.add(chunk);
      Transfer reserve = reservation(s, chunk, false);
      m.saveInBackground(s);
      s.renewSentNanos = System.nanoTime();
      m.async(m.ledger.submit(reserve), (result, submitError) -> {
        if (submitError != null) {
          renewalFailed(s, List.of(), chunk, submitError);
        } else if (result.applied()) {
          chunk.confirmed = true;
          s.grantedSeconds = affordable;
          m.renewed(s, dueMs);
          becomeFinal(s);
          afterOp(s);
        } else if (result == TransferResult.EXCEEDS_CREDITS) {
          s.chunks.remove(chunk);
          if (attempt >= RESERVE_ATTEMPTS_MAX) {
            becomeFinal(s);
            afterOp(s);
          } else {
            finalGrant(s, dueMs, attempt + 1);
          }
        } else {
          throw new IllegalStateException("final reservation answered " + result);
        }
      });
    });
  }

  private void becomeFinal(MeterSession s) {
    if (s.finalUnit) return;
    s.finalUnit = true;
    s.publish();
    m.notifyFinal(s);
  }

  /** The in-flight request of a session is answered: run what waited for it. */
  void afterOp(MeterSession s) {
    s.busy = false;
    s.renewing = false;
    s.publish();
    if (s.ending()) settle(s);
    else if (s.state == SessionState.PAUSED && !s.pauseSettled) settleForPause(s);
    else if (s.state == SessionState.ACTIVE) m.onTimer(s); // may already be due (exhausted, renew again)
    else m.reschedule(s);
  }

  // ---- settle ---------------------------------------------------------------------------------------

  /** Paused: post what was used so far, release the rest; resume reserves afresh. */
  void settleForPause(MeterSession s) {
    long used = s.billableSeconds(s.usedMsBefore);
    decide(s, used);
    List<MeterSession.Chunk> settling = new ArrayList<>(s.chunks);
    if (settling.isEmpty()) {
      pauseSettled(s, used);
      return;
    }
    s.busy = true;
    sendSettlement(s, settling, () -> {
      pauseSettled(s, used);
      afterOp(s);
    }, error -> {
      DefaultMeter.LOG.log(System.Logger.Level.WARNING, "pause settlement failed, retrying: " + error);
      s.busy = false;
      m.rescheduleAt(s, m.clock.millis() + RETRY_BACKOFF_MS);
    });
  }

  private void pauseSettled(MeterSession s, long usedSeconds) {
    s.chunks.clear();
    s.grantedSeconds = s.tariff.billedSeconds(usedSeconds);
    Checks.invariant(s.postedPoints <= s.tariff.pointsFor(s.grantedSeconds), "posted within the grant");
    s.finalUnit = false;
    s.pauseSettled = true;
    s.publish();
    if (!s.busy) m.reschedule(s);
  }

  /** Ended: post exactly the used amount (increments, minimum charge), void the rest, write the record. */
  void settle(MeterSession s) {
    long used = s.answeredAtMs < 0 ? 0 : Math.min((s.endUsedMs + 999) / 1000, s.grantedSeconds);
    decide(s, used);
    s.busy = true;
    sendSettlement(s, new ArrayList<>(s.chunks), () -> {
      UsageRecord record = record(s, used);
      m.async(m.store.finish(record), (v, error) -> {
        if (error != null) retrySettle(s, error);
        else m.finished(s, record);
      });
    }, error -> retrySettle(s, error));
  }

  private void retrySettle(MeterSession s, Throwable error) {
    s.busy = false;
    s.settleAttempts++;
    if (s.settleAttempts >= SETTLE_ATTEMPTS_MAX) {
      DefaultMeter.LOG.log(System.Logger.Level.ERROR, "settlement failed " + s.settleAttempts
          + " times; left to recovery: " + error);
      m.abandoned(s, error);
    } else {
      m.rescheduleAt(s, m.clock.millis() + RETRY_BACKOFF_MS * s.settleAttempts);
    }
  }

  /** Distributes the price of {@code usedSeconds} over the open chunks in order (earlier decisions stand). */
  private void decide(MeterSession s, long usedSeconds) {
    long rest = s.tariff.pointsFor(usedSeconds) - s.postedPoints - s.lostPoints;
    Checks.invariant(rest >= 0, "never post less than already posted");
    for (MeterSession.Chunk c : s.chunks) {
      Checks.invariant(c.confirmed, "no unconfirmed reservation while idle");
      if (c.postAmount < 0) c.postAmount = Math.min(c.amount, rest);
      rest -= c.postAmount;
    }
    Checks.invariant(rest <= 0, "the reservations cover the used amount");
  }

  private void sendSettlement(MeterSession s, List<MeterSession.Chunk> settling, Runnable done,
                              java.util.function.Consumer<Throwable> failed) {
    if (settling.isEmpty()) {
      done.run();
      return;
    }
    List<Transfer> transfers = new ArrayList<>(settling.size());
    for (MeterSession.Chunk c : settling) transfers.add(ChargeIds.settle(s.id, s.request.service(), c.number, c.postAmount));
    m.async(m.store.save(s.checkpoint(m.clock.millis())), (saved, saveError) -> {
      if (saveError != null) {
        failed.accept(saveError);
        return;
      }
      m.async(m.ledger.submit(transfers), (results, error) -> {
        if (error != null) {
          failed.accept(error);
          return;
        }
        for (int i = 0; i < settling.size(); i++) applySettlement(s, settling.get(i), results.get(i));
        done.run();
      });
    });
  }

  /** Counts a settled chunk and drops it; a reservation that expired meanwhile is revenue lost, not charged. */
  private void applySettlement(MeterSession s, MeterSession.Chunk c, TransferResult result) {
    if (result.applied()) {
      s.postedPoints += c.postAmount;
    } else if (result == TransferResult.PENDING_TRANSFER_EXPIRED) {
      s.lostPoints += c.postAmount;
      DefaultMeter.LOG.log(System.Logger.Level.WARNING, "a reservation expired before its settlement");
    } else {
      throw new IllegalStateException("settlement answered " + result);
    }
    s.chunks.remove(c);
  }

  private UsageRecord record(MeterSession s, long usedSeconds) {
    Instant answered = s.answeredAtMs < 0 ? null : Instant.ofEpochMilli(s.answeredAtMs);
    long duration = s.answeredAtMs < 0 ? 0 : Math.max(0, (s.endedAtMs - s.answeredAtMs + 999) / 1000);
    return new UsageRecord(s.id, s.request.owner(), s.request.service(), s.request.destination(),
        s.request.contentKind(), s.request.contentId(), s.request.reference(), s.rated, s.pointType, s.tariff,
        Instant.ofEpochMilli(s.authorizedAtMs), answered, Instant.ofEpochMilli(s.endedAtMs), duration, usedSeconds,
        s.tariff.billedSeconds(usedSeconds), s.postedPoints, s.endReason);
  }
}

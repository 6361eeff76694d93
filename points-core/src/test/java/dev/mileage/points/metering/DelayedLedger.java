package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The real ledger behind a slow link: transfers reach it at once (or, when {@code holdRequests}, only
 * when released) but their answers come back {@code delay} later on the test's clock. Nothing is
 * simulated: every answer is the real ledger's. Reads pass straight through.
 */
final class DelayedLedger implements Ledger {
  private record Held(Instant due, Runnable release) {
  }

  private final Ledger real;
  private final Clock clock;
  private final List<Held> held = new ArrayList<>();
  volatile Duration delay;
  volatile boolean holdRequests;
  /** Nothing is ever released: the process "dies" with these in flight. */
  volatile boolean stalled;

  DelayedLedger(Ledger real, Clock clock, Duration delay) {
    this.real = real;
    this.clock = clock;
    this.delay = delay;
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    CompletableFuture<List<TransferResult>> answer = new CompletableFuture<>();
    Instant due = clock.instant().plus(delay);
    if (holdRequests) {
      hold(due, () -> real.submit(transfers).whenComplete((r, e) -> complete(answer, r, e)));
    } else {
      real.submit(transfers).whenComplete((r, e) -> hold(due, () -> complete(answer, r, e)));
    }
    return answer;
  }

  private static <T> void complete(CompletableFuture<T> f, T value, Throwable error) {
    if (error != null) f.completeExceptionally(error);
    else f.complete(value);
  }

  private synchronized void hold(Instant due, Runnable release) {
    held.add(new Held(due, release));
  }

  /** Answers everything due by the clock; how many are still held. */
  int releaseDue() {
    List<Runnable> now = new ArrayList<>();
    synchronized (this) {
      if (stalled) return held.size();
      held.removeIf(h -> {
        if (h.due().isAfter(clock.instant())) return false;
        now.add(h.release());
        return true;
      });
    }
    now.forEach(Runnable::run);
    return held();
  }

  synchronized int held() {
    return held.size();
  }

  /**
   * How many held entries {@link #releaseDue()} would not release now: all of them when stalled, else
   * those not yet due. An answer that arrived just after a release is due, so it is not counted here.
   */
  synchronized int heldNotDue() {
    if (stalled) return held.size();
    Instant now = clock.instant();
    return (int) held.stream().filter(h -> h.due().isAfter(now)).count();
  }

  @Override
  public CompletionStage<Account> openAccount(String owner, int pointType, int flags) {
    return real.openAccount(owner, pointType, flags);
  }

  @Override
  public CompletionStage<Optional<Account>> account(long accountId) {
    return real.account(accountId);
  }

  @Override
  public CompletionStage<Optional<Account>> accountOf(String owner, int pointType) {
    return real.accountOf(owner, pointType);
  }

  @Override
  public CompletionStage<List<Account>> accountsOf(String owner) {
    return real.accountsOf(owner);
  }

  @Override
  public CompletionStage<Optional<TransferRecord>> transfer(UUID transferId) {
    return real.transfer(transferId);
  }

  @Override
  public CompletionStage<HistoryPage> history(long accountId, Instant before, int limit) {
    return real.history(accountId, before, limit);
  }

  @Override
  public CompletionStage<List<PointType>> pointTypes() {
    return real.pointTypes();
  }

  @Override
  public CompletionStage<PointType> definePointType(String code, PointKind kind, String issuer, long cashMicrosPerUnit,
                                                    Set<String> allowedProducts) {
    return real.definePointType(code, kind, issuer, cashMicrosPerUnit, allowedProducts);
  }

  @Override
  public CompletionStage<PointType> setCashValue(int pointType, long cashMicrosPerUnit) {
    return real.setCashValue(pointType, cashMicrosPerUnit);
  }
}

package dev.mileage.points.trading;

import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointType;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The ledger accounts the desk trades through: members' accounts per type (remembered: ids never change once
 * opened), the escrow and fee accounts of every type, and which point types exist. Opening is idempotent.
 */
final class DeskAccounts {
  /** Member account ids remembered, so a place costs no look-ups. */
  static final int ACCOUNT_IDS_CACHED_MAX = 100_000;

  private final Ledger ledger;
  private final Map<Integer, Long> escrow = new HashMap<>();
  private final Map<Integer, Long> fees = new HashMap<>();
  private final Set<Integer> knownTypes = new HashSet<>();
  private final Map<String, Long> accountIds = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > ACCOUNT_IDS_CACHED_MAX;
    }
  };

  DeskAccounts(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Point types are only ever added, so a known type stays known; an unknown one re-reads the list. */
  CompletionStage<Boolean> known(int a, int b) {
    synchronized (this) {
      if (knownTypes.contains(a) && knownTypes.contains(b)) return done(true);
    }
    return ledger.pointTypes().thenApply(types -> {
      synchronized (this) {
        for (PointType t : types) knownTypes.add(t.id());
        return knownTypes.contains(a) && knownTypes.contains(b);
      }
    });
  }

  /** Member sell and buy accounts, escrow and fee accounts of both types (opened once, idempotent). */
  CompletionStage<long[]> of(OrderRequest r) {
    return memberAccount(r.owner(), r.sellType()).thenCompose(sell ->
        memberAccount(r.owner(), r.buyType()).thenCompose(buy ->
            house(r.sellType()).thenCompose(x -> house(r.buyType())).thenApply(y -> new long[] {sell, buy})));
  }

  private CompletionStage<Long> memberAccount(String owner, int type) {
    String key = type + "/" + owner;
    synchronized (this) {
      Long id = accountIds.get(key);
      if (id != null) return done(id);
    }
    return ledger.openAccount(owner, type, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS).thenApply(a -> {
      synchronized (this) {
        accountIds.put(key, a.id());
      }
      return a.id();
    });
  }

  CompletionStage<Void> house(int type) {
    synchronized (this) {
      if (escrow.containsKey(type) && fees.containsKey(type)) return done(null);
    }
    int flags = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;
    return ledger.openAccount(TradingDesk.ESCROW_OWNER, type, flags).thenCompose(e ->
        ledger.openAccount(TradingDesk.FEE_OWNER, type, flags).thenAccept(f -> {
          synchronized (this) {
            escrow.put(type, e.id());
            fees.put(type, f.id());
          }
        }));
  }

  synchronized long escrow(int type) {
    return escrow.get(type);
  }

  synchronized long fee(int type) {
    return fees.get(type);
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}

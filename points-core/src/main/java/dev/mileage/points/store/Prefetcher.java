package dev.mileage.points.store;

import com.github.benmanes.caffeine.cache.Cache;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Loads exactly what one batch reads into its {@link Prefetched} view: first what the batches in flight
 * changed (an {@link Overlay}, the newest state), then what committed batches changed that the tables do not
 * show yet (another), then the committed caches, then the misses in batched
 * queries (transfers and reservations, then the accounts those name). A key the batches in flight do not
 * touch cannot change while its query runs, because only this writer changes the ledger.
 */
final class Prefetcher {
  private final Pool pool;
  private final Cache<Long, Account> accounts;
  private final Cache<UUID, PendingState> pendings;
  private final Overlay uncommitted;
  private final Overlay unprojected;

  Prefetcher(Pool pool, Cache<Long, Account> accounts, Cache<UUID, PendingState> pendings, Overlay uncommitted,
             Overlay unprojected) {
    this.pool = pool;
    this.accounts = accounts;
    this.pendings = pendings;
    this.uncommitted = uncommitted;
    this.unprojected = unprojected;
  }

  /** Runs on the writer's context; the decisions what to load are taken before it returns. */
  Future<Void> prefetch(Prefetched view, List<List<Transfer>> requests, List<UUID> due) {
    int transfers = 0;
    for (List<Transfer> request : requests) transfers += request.size();
    Set<UUID> transferIds = new HashSet<>(transfers * 2);
    Set<UUID> pendingIds = new HashSet<>(Math.max(16, (transfers + due.size()) * 2));
    pendingIds.addAll(due);
    Set<Long> accountIds = new HashSet<>(transfers * 4);
    for (List<Transfer> request : requests) {
      for (Transfer t : request) {
        transferIds.add(t.id());
        if (t.pendingId() != null && (t.flags() & (TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING)) != 0) {
          pendingIds.add(t.pendingId());
        }
        if (t.debitAccountId() != 0) accountIds.add(t.debitAccountId());
        if (t.creditAccountId() != 0) accountIds.add(t.creditAccountId());
      }
    }
    List<UUID> pendingMisses = new ArrayList<>();
    for (UUID id : pendingIds) {
      PendingState p = uncommitted.pendings.get(id);
      if (p == null) p = unprojected.pendings.get(id);
      if (p == null) p = pendings.getIfPresent(id);
      if (p == null) {
        pendingMisses.add(id);
      } else {
        view.pendings.put(id, p);
      }
    }
    Future<Void> transferRows = loadTransfers(view, transferIds);
    Future<Void> reservations = pendingMisses.isEmpty() ? Future.succeededFuture()
        : pool.preparedQuery(LedgerRows.SELECT_PENDINGS).execute(Tuple.of(pendingMisses.toArray(UUID[]::new)))
            .map(rows -> {
              for (UUID id : pendingMisses) view.pendings.put(id, null);
              for (Row row : rows) {
                PendingState p = LedgerRows.pending(row);
                view.pendings.put(p.id(), p);
                view.loadedPendings.add(p);
              }
              return null;
            });
    // the accounts the batch itself names are decided now; those of its reservations when they are known
    List<Long> accountMisses = new ArrayList<>();
    collectAccounts(view, accountIds, accountMisses);
    Future<Void> namedAccounts = loadAccounts(view, accountMisses);
    return Future.all(transferRows, reservations, namedAccounts).compose(v -> {
      Set<UUID> notPending = new HashSet<>();
      Set<Long> reservationAccounts = new HashSet<>();
      for (UUID id : pendingIds) {
        PendingState p = view.pendings.get(id);
        if (p == null) {
          if (!view.transfers.containsKey(id)) notPending.add(id);
        } else {
          if (!view.accounts.containsKey(p.debitAccountId())) reservationAccounts.add(p.debitAccountId());
          if (!view.accounts.containsKey(p.creditAccountId())) reservationAccounts.add(p.creditAccountId());
        }
      }
      List<Long> misses = new ArrayList<>();
      collectAccounts(view, reservationAccounts, misses);
      return Future.all(loadAccounts(view, misses), loadTransfers(view, notPending)).mapEmpty();
    });
  }

  private void collectAccounts(Prefetched view, Set<Long> ids, List<Long> misses) {
    for (Long id : ids) {
      Account a = uncommitted.accounts.get(id);
      if (a == null) a = unprojected.accounts.get(id);
      if (a == null) a = accounts.getIfPresent(id);
      if (a == null) {
        misses.add(id);
      } else {
        view.accounts.put(id, a);
      }
    }
  }

  private Future<Void> loadAccounts(Prefetched view, List<Long> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(LedgerRows.SELECT_ACCOUNTS).execute(Tuple.of(ids.toArray(Long[]::new)))
        .map(rows -> {
          for (Long id : ids) view.accounts.put(id, null);
          for (Row row : rows) {
            Account a = LedgerRows.account(row);
            view.accounts.put(a.id(), a);
            view.loadedAccounts.add(a);
          }
          return null;
        });
  }

  /** Transfers the batches in flight inserted are known without asking; the rest are read. */
  private Future<Void> loadTransfers(Prefetched view, Set<UUID> ids) {
    List<UUID> misses = new ArrayList<>(ids.size());
    for (UUID id : ids) {
      TransferRecord r = uncommitted.transfers.get(id);
      if (r == null) r = unprojected.transfers.get(id);
      if (r == null) {
        misses.add(id);
      } else {
        view.transfers.put(id, r);
      }
    }
    if (misses.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(LedgerRows.SELECT_TRANSFERS).execute(Tuple.of(misses.toArray(UUID[]::new)))
        .map(rows -> {
          for (UUID id : misses) view.transfers.put(id, null);
          for (Row row : rows) view.transfers.put(row.getUUID(0), LedgerRows.transfer(row));
          return null;
        });
  }
}

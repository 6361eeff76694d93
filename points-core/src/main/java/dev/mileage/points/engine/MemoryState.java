package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Committed state held entirely in memory: the engine's partner in the simulation, the unit tests and
 * the engine benchmark. Transfers and reservations are kept as rows of primitives (see
 * {@link TransferTable}; a reservation sits on its PENDING transfer's row), so millions of them do not
 * burden the collector. Not thread safe. The durable store is {@code dev.mileage.points.store.PgLedger}.
 */
public final class MemoryState implements LedgerView {
  /** By id: this state numbers accounts 1, 2, 3 ..., so an array is their index (slot 0 unused). */
  private Account[] accounts = new Account[1024];
  private final TransferTable transfers;
  private long nextAccountId = 1;
  /** Where the preload hints sum what they read, so the compiler keeps the loads: never read back. */
  @SuppressWarnings("unused")
  private long touchedSum;

  public MemoryState() {
    this(1024);
  }

  /** Sized for {@code expectedTransfers} so that growing never rehashes on the way. */
  public MemoryState(int expectedTransfers) {
    transfers = new TransferTable(Math.max(16, expectedTransfers));
  }

  public Account open(String owner, int pointType, int flags) {
    if (nextAccountId >= Integer.MAX_VALUE - 8) Checks.invariant(false, "accounts are bounded", nextAccountId);
    Account a = new Account(nextAccountId++, owner, pointType, AccountFlags.requireValid(flags), 0, 0, 0, 0);
    if (a.id() >= accounts.length) accounts = Arrays.copyOf(accounts, (int) Math.min(Integer.MAX_VALUE - 8, accounts.length * 2L));
    accounts[(int) a.id()] = a;
    return a;
  }

  @Override
  public Account account(long accountId) {
    return accountId > 0 && accountId < nextAccountId ? accounts[(int) accountId] : null;
  }

  @Override
  public TransferRecord transfer(UUID transferId) {
    return transfers.get(transferId);
  }

  @Override
  public PendingState pending(UUID pendingId) {
    return transfers.pending(pendingId);
  }

  @Override
  public void preloadExpiryCandidates(Collection<UUID> pendingIds) {
    transfers.preloadReservations(pendingIds);
  }

  @Override
  public void preloadReservations(List<List<Transfer>> requests, int fromRequest, int toRequest) {
    transfers.preloadReservations(requests, fromRequest, toRequest, accounts, nextAccountId);
  }

  /** Also brings in the accounts the transfers name (a batch reads each account it touches first). */
  @Override
  public void preloadTransfers(List<List<Transfer>> requests, int fromRequest, int toRequest) {
    transfers.preloadTransfers(requests, fromRequest, toRequest);
    long sum = 0;
    Account[] byId = accounts;
    long end = nextAccountId;
    for (int r = fromRequest; r < toRequest; r++) {
      List<Transfer> list = requests.get(r);
      for (int i = 0, n = list.size(); i < n; i++) {
        Transfer t = list.get(i);
        sum += touch(byId, end, t.debitAccountId()) + touch(byId, end, t.creditAccountId());
      }
    }
    touchedSum += sum;
  }

  /** An account's first counter, read only to bring it into the cache; 0 for no account. */
  static long touch(Account[] byId, long end, long accountId) {
    if (accountId <= 0 || accountId >= end) return 0;
    Account a = byId[(int) accountId];
    return a == null ? 0 : a.debitsPending();
  }

  /** Every account, by id (a copy). */
  public Collection<Account> accounts() {
    return List.of(Arrays.copyOfRange(accounts, 1, (int) nextAccountId));
  }

  /** Every stored transfer, in the order stored (a copy). */
  public Collection<TransferRecord> transfers() {
    return transfers.all();
  }

  /** Open reservations whose timeout has passed at {@code nowMicros}, at most {@code limit} (a scan: for tests). */
  public List<UUID> due(long nowMicros, int limit) {
    return transfers.due(nowMicros, limit);
  }

  /** Makes a verified outcome the committed state (what the store does after COMMIT). */
  public void commit(BatchOutcome outcome) {
    outcome.verify();
    for (AccountChange c : outcome.accounts()) {
      long id = c.after().id();
      Checks.invariant(account(id) == c.before(), "the batch read the committed account", c.before());
      accounts[(int) id] = c.after();
    }
    transfers.addAll(outcome.inserted(), outcome.pendings());
  }
}

package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.sqlclient.Tuple;

import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Checks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.UUID;

/** The arrays of {@link LedgerRows#WRITE_BATCH}: one column array per field, unnested by PostgreSQL. */
final class BatchParams {
  private BatchParams() {
  }

  /** {@code existing}: whether a reservation is already stored (then it is being closed, else created). */
  static Tuple of(BatchOutcome outcome, long batchSeq, Predicate<UUID> existing) {
    List<TransferRecord> inserted = outcome.inserted();
    int n = inserted.size();
    UUID[] ids = new UUID[n];
    Long[] debits = new Long[n];
    Long[] credits = new Long[n];
    Long[] amounts = new Long[n];
    UUID[] pendingIds = new UUID[n];
    Integer[] timeouts = new Integer[n];
    Integer[] codes = new Integer[n];
    String[] references = new String[n];
    Integer[] flags = new Integer[n];
    Long[] timestamps = new Long[n];
    for (int i = 0; i < n; i++) {
      TransferRecord r = inserted.get(i);
      Transfer t = r.transfer();
      ids[i] = t.id();
      debits[i] = t.debitAccountId();
      credits[i] = t.creditAccountId();
      amounts[i] = t.amount();
      pendingIds[i] = t.pendingId();
      timeouts[i] = t.timeoutSeconds();
      codes[i] = t.code();
      references[i] = t.reference();
      flags[i] = t.flags();
      timestamps[i] = Micros.of(r.timestamp());
    }
    List<AccountChange> changes = outcome.accounts();
    int m = changes.size();
    Long[][] acc = new Long[9][m];
    for (int i = 0; i < m; i++) {
      Account b = changes.get(i).before();
      Account a = changes.get(i).after();
      acc[0][i] = a.id();
      acc[1][i] = a.debitsPending();
      acc[2][i] = a.debitsPosted();
      acc[3][i] = a.creditsPending();
      acc[4][i] = a.creditsPosted();
      acc[5][i] = b.debitsPending();
      acc[6][i] = b.debitsPosted();
      acc[7][i] = b.creditsPending();
      acc[8][i] = b.creditsPosted();
    }
    List<PendingState> created = new ArrayList<>();
    List<PendingState> closed = new ArrayList<>();
    for (PendingState p : outcome.pendings()) (existing.test(p.id()) ? closed : created).add(p);
    int k = created.size();
    UUID[] pIds = new UUID[k];
    Long[][] pLongs = new Long[5][k];
    Short[] statuses = new Short[k];
    for (int i = 0; i < k; i++) {
      PendingState p = created.get(i);
      pIds[i] = p.id();
      pLongs[0][i] = p.debitAccountId();
      pLongs[1][i] = p.creditAccountId();
      pLongs[2][i] = p.amount();
      pLongs[3][i] = p.timestampMicros();
      pLongs[4][i] = p.expiresAtMicros();
      statuses[i] = (short) p.status().ordinal();
    }
    int m2 = closed.size();
    UUID[] closedIds = new UUID[m2];
    Short[] closedStatuses = new Short[m2];
    for (int i = 0; i < m2; i++) {
      PendingState p = closed.get(i);
      Checks.invariant(p.status() != PendingStatus.PENDING, "a stored reservation only changes by closing", p.id());
      closedIds[i] = p.id();
      closedStatuses[i] = (short) p.status().ordinal();
    }
    Tuple t = Tuple.tuple();
    t.addArrayOfUUID(ids).addArrayOfLong(debits).addArrayOfLong(credits).addArrayOfLong(amounts)
        .addArrayOfUUID(pendingIds).addArrayOfInteger(timeouts).addArrayOfInteger(codes).addArrayOfString(references)
        .addArrayOfInteger(flags).addArrayOfLong(timestamps);
    for (Long[] column : acc) t.addArrayOfLong(column);
    t.addArrayOfUUID(pIds);
    for (Long[] column : pLongs) t.addArrayOfLong(column);
    t.addArrayOfShort(statuses);
    t.addArrayOfUUID(closedIds).addArrayOfShort(closedStatuses);
    t.addLong(batchSeq).addLong(outcome.lastTimestampMicros());
    t.addLong((long) n).addLong((long) m).addLong((long) k).addLong((long) m2);
    return t;
  }
}

package dev.mileage.points.store;

import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.sqlclient.Tuple;

import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The parameters of the projection's two statements, {@link LedgerRows#PROJECT_TRANSFERS} and
 * {@link LedgerRows#PROJECT_STATE}: one column array per field, unnested by PostgreSQL.
 */
final class BatchParams {
  private BatchParams() {
  }

  /** The transfer rows of batches {@code w.firstSeq..w.lastSeq}, tagged with the last. */
  static Tuple transfers(WriteSet w) {
    Checks.invariant(w.holdsRows(), "the transfer lane writes a set that holds its rows", w.firstSeq);
    List<TransferRecord> inserted = w.transfers;
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
    Tuple t = Tuple.tuple();
    t.addArrayOfUUID(ids).addArrayOfLong(debits).addArrayOfLong(credits).addArrayOfLong(amounts)
        .addArrayOfUUID(pendingIds).addArrayOfInteger(timeouts).addArrayOfInteger(codes).addArrayOfString(references)
        .addArrayOfInteger(flags).addArrayOfLong(timestamps);
    return t.addLong(w.lastSeq).addLong((long) n);
  }

  /** The accounts and reservations batches {@code w.firstSeq..w.lastSeq} changed, on top of the state lane's fence. */
  static Tuple state(WriteSet w) {
    int m = w.accounts.size();
    Long[][] acc = new Long[9][m];
    int i = 0;
    for (Map.Entry<Long, long[]> e : w.accounts.entrySet()) {
      long[] c = e.getValue();
      acc[0][i] = e.getKey();
      for (int k = 0; k < 4; k++) {
        acc[1 + k][i] = c[4 + k];
        acc[5 + k][i] = c[k];
      }
      i++;
    }
    List<PendingState> created = new ArrayList<>();
    List<PendingState> closed = new ArrayList<>();
    for (PendingState p : w.pendings.values()) (w.created.contains(p.id()) ? created : closed).add(p);
    int k = created.size();
    UUID[] pIds = new UUID[k];
    Long[][] pLongs = new Long[5][k];
    Short[] statuses = new Short[k];
    for (int j = 0; j < k; j++) {
      PendingState p = created.get(j);
      pIds[j] = p.id();
      pLongs[0][j] = p.debitAccountId();
      pLongs[1][j] = p.creditAccountId();
      pLongs[2][j] = p.amount();
      pLongs[3][j] = p.timestampMicros();
      pLongs[4][j] = p.expiresAtMicros();
      statuses[j] = (short) p.status().ordinal();
    }
    int m2 = closed.size();
    UUID[] closedIds = new UUID[m2];
    Short[] closedStatuses = new Short[m2];
    for (int j = 0; j < m2; j++) {
      PendingState p = closed.get(j);
      Checks.invariant(p.status() != PendingStatus.PENDING, "a stored reservation only changes by closing", p.id());
      closedIds[j] = p.id();
      closedStatuses[j] = (short) p.status().ordinal();
    }
    Tuple t = Tuple.tuple();
    for (Long[] column : acc) t.addArrayOfLong(column);
    t.addArrayOfUUID(pIds);
    for (Long[] column : pLongs) t.addArrayOfLong(column);
    t.addArrayOfShort(statuses);
    t.addArrayOfUUID(closedIds).addArrayOfShort(closedStatuses);
    t.addLong(w.lastSeq).addLong(w.firstSeq - 1);
    t.addLong((long) m).addLong((long) k).addLong((long) m2);
    return t;
  }
}

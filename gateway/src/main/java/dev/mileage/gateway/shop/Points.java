package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.Future;

import java.util.HashMap;
import java.util.Map;

/** Point types as the ledger defines them, fetched again whenever an unknown one is asked for. */
public final class Points {
  private final LedgerAccess accounts;
  private volatile Map<Integer, PointType> types = Map.of();

  public Points(LedgerAccess accounts) {
    this.accounts = accounts;
  }

  public Future<Map<Integer, PointType>> all() {
    return Web.future(accounts.vertx(), accounts.ledger().pointTypes()).map(list -> {
      Map<Integer, PointType> m = new HashMap<>();
      list.forEach(t -> m.put(t.id(), t));
      types = Map.copyOf(m);
      return types;
    });
  }

  public Future<PointType> type(int id) {
    PointType t = types.get(id);
    if (t != null) return Future.succeededFuture(t);
    return all().compose(m -> m.containsKey(id) ? Future.succeededFuture(m.get(id))
        : Future.failedFuture(new IllegalArgumentException("unknown point type " + id)));
  }

  /** The current cash value of one point, in millionths of a won. */
  public Future<Long> cashMicrosPerUnit(int id) {
    return type(id).map(PointType::cashMicrosPerUnit);
  }
}

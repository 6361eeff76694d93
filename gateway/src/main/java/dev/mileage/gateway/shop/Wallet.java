package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** A member's balances per point type and every movement with its reason, straight from the ledger. */
public final class Wallet {
  public static final int MOVEMENTS_PER_TYPE_MAX = 50;
  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(TransferCodes.OPERATOR_ADJUSTMENT, "adjustment by the operator"),
      Map.entry(TransferCodes.EXCHANGE, "exchange"),
      Map.entry(TransferCodes.EXCHANGE_FEE, "exchange fee"),
      Map.entry(TransferCodes.EXPIRED, "expired"),
      Map.entry(TransferCodes.CALL_CHARGE, "phone call"),
      Map.entry(TransferCodes.STREAM_CHARGE, "stream"),
      Map.entry(TransferCodes.SIGN_UP_BONUS, "sign-up bonus"),
      Map.entry(TransferCodes.ORDER_MILEAGE, "mileage earned on an order"),
      Map.entry(TransferCodes.ORDER_MILEAGE_REVERSAL, "mileage taken back (order refunded)"),
      Map.entry(TransferCodes.ORDER_PAID_WITH_POINTS, "paid an order with points"),
      Map.entry(TransferCodes.ORDER_POINTS_REFUND, "points given back (order refunded)"),
      Map.entry(TransferCodes.TRADE_HOLD, "held for a trade order"),
      Map.entry(TransferCodes.TRADE_FILL, "trade"),
      Map.entry(TransferCodes.TRADE_FEE, "trading fee"),
      Map.entry(TransferCodes.TRADE_RELEASE, "trade order closed, points released"),
      Map.entry(TransferCodes.MEMBER_TRANSFER, "points sent to or received from a member"),
      Map.entry(TransferCodes.PARTNER_ISSUE, "points from a partner shop"),
      Map.entry(TransferCodes.PARTNER_PORTFOLIO_SYNC, "balance synced with a partner shop"),
      Map.entry(TransferCodes.POINTS_BOUGHT, "points bought"),
      Map.entry(TransferCodes.CASH_OUT, "cashed out"),
      Map.entry(TransferCodes.CASH_OUT_RELEASE, "cash-out not paid, points released"));

  private final LedgerAccess accounts;
  private final Points points;

  public Wallet(LedgerAccess accounts, Points points) {
    this.accounts = accounts;
    this.points = points;
  }

  public static String reason(int code) {
    return REASONS.getOrDefault(code, "movement #" + code);
  }

  public Future<JsonArray> balances(long memberId) {
    return points.all().compose(types -> Web.future(accounts.vertx(), accounts.ledger().accountsOf(LedgerAccess.memberOwner(memberId)))
        .map(list -> balancesJson(list, types)));
  }

  private static JsonArray balancesJson(List<Account> list, Map<Integer, PointType> types) {
    JsonArray out = new JsonArray();
    list.stream().sorted(Comparator.comparingInt(Account::pointType)).forEach(a -> {
      PointType t = types.get(a.pointType());
      out.add(new JsonObject().put("pointType", a.pointType()).put("code", t == null ? "?" : t.code())
          .put("available", a.available()).put("posted", a.posted()).put("reserved", a.debitsPending())
          .put("cashMicrosPerUnit", t == null ? 0 : t.cashMicrosPerUnit()));
    });
    return out;
  }

  public Future<JsonObject> wallet(long memberId) {
    return points.all().compose(types -> Web.future(accounts.vertx(), accounts.ledger().accountsOf(LedgerAccess.memberOwner(memberId)))
        .compose(list -> {
          List<Future<List<JsonObject>>> histories = new ArrayList<>();
          for (Account a : list) {
            histories.add(Web.future(accounts.vertx(), accounts.ledger().history(a.id(), null, MOVEMENTS_PER_TYPE_MAX))
                .map(page -> page.transfers().stream().map(r -> movement(a, r, types.get(a.pointType()))).toList()));
          }
          return Future.all(histories).map(all -> {
            List<JsonObject> movements = new ArrayList<>();
            for (int i = 0; i < histories.size(); i++) movements.addAll(all.resultAt(i));
            movements.sort(Comparator.comparing((JsonObject m) -> m.getString("at")).reversed());
            return new JsonObject().put("balances", balancesJson(list, types)).put("movements", new JsonArray(movements));
          });
        }));
  }

  private static JsonObject movement(Account a, TransferRecord r, PointType t) {
    Transfer tr = r.transfer();
    boolean in = tr.creditAccountId() == a.id();
    String state = tr.has(TransferFlags.PENDING) ? "reserved" : tr.has(TransferFlags.VOID_PENDING) ? "released"
        : tr.has(TransferFlags.POST_PENDING) ? "posted" : "done";
    return new JsonObject().put("at", r.timestamp().toString()).put("pointType", a.pointType())
        .put("code", t == null ? "?" : t.code()).put("amount", in ? tr.amount() : -tr.amount()).put("state", state)
        .put("reason", reason(tr.code())).put("reference", tr.reference());
  }
}

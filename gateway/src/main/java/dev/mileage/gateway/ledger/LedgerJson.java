package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON edge of the ledger, shared by the REST API and the event bus: typed records inside, JSON only
 * here. Flags travel as names. Malformed input throws {@link IllegalArgumentException} with a reason a
 * person can act on; callers answer 400 and submit nothing.
 */
public final class LedgerJson {
  static final Map<String, Integer> TRANSFER_FLAGS = Map.of("LINKED", TransferFlags.LINKED,
      "PENDING", TransferFlags.PENDING, "POST_PENDING", TransferFlags.POST_PENDING,
      "VOID_PENDING", TransferFlags.VOID_PENDING);
  static final Map<String, Integer> ACCOUNT_FLAGS = Map.of(
      "DEBITS_MUST_NOT_EXCEED_CREDITS", AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
      "CREDITS_MUST_NOT_EXCEED_DEBITS", AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS);

  private LedgerJson() {
  }

  public static JsonObject account(Account a) {
    return new JsonObject().put("id", a.id()).put("owner", a.owner()).put("pointType", a.pointType())
        .put("flags", names(a.flags(), ACCOUNT_FLAGS))
        .put("debitsPending", a.debitsPending()).put("debitsPosted", a.debitsPosted())
        .put("creditsPending", a.creditsPending()).put("creditsPosted", a.creditsPosted())
        .put("balance", new JsonObject().put("available", a.available()).put("posted", a.posted())
            .put("pending", a.debitsPending()));
  }

  public static JsonObject pointType(PointType p) {
    return new JsonObject().put("id", p.id()).put("code", p.code()).put("kind", p.kind().name())
        .put("issuer", p.issuer()).put("cashMicrosPerUnit", p.cashMicrosPerUnit())
        .put("allowedProducts", new JsonArray(p.allowedProducts().stream().sorted().toList()));
  }

  public static JsonObject transfer(Transfer t) {
    JsonObject json = new JsonObject().put("id", t.id().toString()).put("debitAccountId", t.debitAccountId())
        .put("creditAccountId", t.creditAccountId()).put("amount", t.amount())
        .put("timeoutSeconds", t.timeoutSeconds()).put("code", t.code()).put("reference", t.reference())
        .put("flags", names(t.flags(), TRANSFER_FLAGS));
    if (t.pendingId() != null) json.put("pendingId", t.pendingId().toString());
    return json;
  }

  public static JsonObject transferRecord(TransferRecord r) {
    return transfer(r.transfer()).put("timestamp", r.timestamp().toString());
  }

  public static JsonObject historyPage(HistoryPage page) {
    JsonArray transfers = new JsonArray();
    page.transfers().forEach(r -> transfers.add(transferRecord(r)));
    return new JsonObject().put("transfers", transfers).put("next", page.next() == null ? null : page.next().toString());
  }

  /**
   * A transfer from JSON. Its id is {@code id} (a UUID) or derived from the business key {@code key}
   * with {@link Transfer#idOf}; exactly one of the two.
   */
  public static Transfer toTransfer(JsonObject json) {
    if (json == null) throw new IllegalArgumentException("transfer must be an object");
    UUID id = idOf(json, "transfer");
    return new Transfer(id, longOf(json, "debitAccountId", 0), longOf(json, "creditAccountId", 0),
        longOf(json, "amount", 0), optionalUuid(json, "pendingId"), intOf(json, "timeoutSeconds"),
        intOf(json, "code"), json.getString("reference", ""), flags(json.getJsonArray("flags"), TRANSFER_FLAGS));
  }

  public static List<Transfer> toTransfers(JsonArray array) {
    if (array == null) throw new IllegalArgumentException("transfers must be an array");
    List<Transfer> transfers = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      try {
        transfers.add(toTransfer(array.getJsonObject(i)));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw new IllegalArgumentException("transfers[" + i + "]: " + e.getMessage());
      }
    }
    return transfers;
  }

  public static JsonArray transfers(List<Transfer> transfers) {
    JsonArray array = new JsonArray();
    transfers.forEach(t -> array.add(transfer(t)));
    return array;
  }

  static UUID idOf(JsonObject json, String what) {
    String id = json.getString("id");
    String key = json.getString("key");
    if ((id == null) == (key == null)) throw new IllegalArgumentException(what + " needs exactly one of id and key");
    if (key != null) {
      if (key.isEmpty() || key.length() > 200) throw new IllegalArgumentException("key must be 1..200 characters");
      return Transfer.idOf(key);
    }
    return uuid(id, "id");
  }

  static int flags(JsonArray names, Map<String, Integer> known) {
    if (names == null) return 0;
    int flags = 0;
    for (Object name : names) {
      Integer flag = name instanceof String s ? known.get(s) : null;
      if (flag == null) throw new IllegalArgumentException("unknown flag: " + name + " (known: " + known.keySet() + ")");
      flags |= flag;
    }
    return flags;
  }

  static JsonArray names(int flags, Map<String, Integer> known) {
    return new JsonArray(known.entrySet().stream().filter(e -> (flags & e.getValue()) == e.getValue())
        .map(Map.Entry::getKey).sorted().toList());
  }

  static long longOf(JsonObject json, String field, long fallback) {
    Object value = json.getValue(field);
    if (value == null) return fallback;
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || value instanceof Double || value instanceof Float) {
      throw new IllegalArgumentException(field + " must be an integer");
    }
    return n.longValue();
  }

  static int intOf(JsonObject json, String field) {
    long value = longOf(json, field, 0);
    if (value < 0 || value > Integer.MAX_VALUE) throw new IllegalArgumentException(field + " must be 0.." + Integer.MAX_VALUE);
    return (int) value;
  }

  static UUID optionalUuid(JsonObject json, String field) {
    String value = json.getString(field);
    return value == null ? null : uuid(value, field);
  }

  static UUID uuid(String value, String field) {
    try {
      UUID id = UUID.fromString(value);
      if (!id.toString().equalsIgnoreCase(value)) throw new IllegalArgumentException();
      return id;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " must be a UUID");
    }
  }
}

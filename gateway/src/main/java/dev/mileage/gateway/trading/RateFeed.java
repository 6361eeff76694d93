package dev.mileage.gateway.trading;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An external source of exchange rates, pulled by the gateway. The document both implementations read:
 * <pre>
 * {"cash":  [{"code": "MILEAGE", "cashMicrosPerUnit": 1000000}],
 *  "pairs": [{"from": "MILEAGE", "to": "CYBER_MONEY", "microsPerUnit": 500000}]}
 * </pre>
 * {@code cashMicrosPerUnit}: won per point in millionths; {@code microsPerUnit}: points of {@code to} per point
 * of {@code from} in millionths. A malformed document fails the pull as a whole and changes nothing.
 */
public interface RateFeed {
  int DOCUMENT_BYTES_MAX = 256 * 1024;
  int QUOTES_MAX = 1_000;

  /** Where the rates come from, recorded in the rate history ({@code feed:<name>}). */
  String name();

  Future<List<Quote>> fetch();

  /** One rate: a cash value when {@code toCode} is null, else an absolute rate between two types. */
  record Quote(String fromCode, String toCode, long microsPerUnit) {
    public Quote {
      Objects.requireNonNull(fromCode, "fromCode");
      if (microsPerUnit <= 0 || microsPerUnit > Rates.CASH_MICROS_MAX) {
        throw new IllegalArgumentException("rate out of range: " + microsPerUnit);
      }
      if (fromCode.equals(toCode)) throw new IllegalArgumentException("a pair needs two different types: " + fromCode);
    }
  }

  /** Parses the document; throws IllegalArgumentException with a reason when it is not one. */
  static List<Quote> parse(Buffer document) {
    if (document.length() > DOCUMENT_BYTES_MAX) throw new IllegalArgumentException("rate document over " + DOCUMENT_BYTES_MAX + " bytes");
    JsonObject doc;
    try {
      doc = document.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("rate document is not a JSON object");
    }
    List<Quote> quotes = new ArrayList<>();
    try {
      JsonArray cash = doc.getJsonArray("cash", new JsonArray());
      JsonArray pairs = doc.getJsonArray("pairs", new JsonArray());
      if (cash.size() + pairs.size() > QUOTES_MAX) throw new IllegalArgumentException("more than " + QUOTES_MAX + " rates");
      for (int i = 0; i < cash.size(); i++) {
        JsonObject q = cash.getJsonObject(i);
        quotes.add(new Quote(code(q, "code"), null, whole(q, "cashMicrosPerUnit")));
      }
      for (int i = 0; i < pairs.size(); i++) {
        JsonObject q = pairs.getJsonObject(i);
        quotes.add(new Quote(code(q, "from"), code(q, "to"), whole(q, "microsPerUnit")));
      }
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("rate document has a field of the wrong type");
    }
    return quotes;
  }

  private static String code(JsonObject q, String field) {
    String c = q.getString(field);
    if (c == null || !c.matches("[A-Z][A-Z0-9_]{0,31}")) throw new IllegalArgumentException(field + " must be a point type code");
    return c;
  }

  private static long whole(JsonObject q, String field) {
    Object v = q.getValue(field);
    if (!(v instanceof Number n) || n.doubleValue() != n.longValue()) throw new IllegalArgumentException(field + " must be a whole number");
    return n.longValue();
  }
}

package dev.mileage.gateway.metering;

import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.LiveBalance;
import dev.mileage.points.metering.StreamRate;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.TariffBook;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** JSON forms of the metering API. */
final class MeteringJson {
  private MeteringJson() {
  }

  static JsonObject tariff(Tariff t) {
    return new JsonObject().put("pointsPerMinute", t.pointsPerMinute())
        .put("initialIncrementSeconds", t.initialIncrementSeconds())
        .put("subsequentIncrementSeconds", t.subsequentIncrementSeconds())
        .put("minimumChargePoints", t.minimumChargePoints())
        .put("pointTypes", new JsonArray(new ArrayList<>(t.pointTypes())));
  }

  /** A tariff from a validated body; the record's checks throw IllegalArgumentException (400) on nonsense. */
  static Tariff tariff(JsonObject body) {
    List<Integer> types = new ArrayList<>();
    JsonArray array = body.getJsonArray("pointTypes");
    if (array == null) types.add(dev.mileage.points.ledger.StandardPointTypes.MILEAGE);
    else for (Object o : array) types.add(((Number) o).intValue());
    return new Tariff(longOf(body, "pointsPerMinute"), (int) longOf(body, "initialIncrementSeconds"),
        (int) longOf(body, "subsequentIncrementSeconds"), body.getLong("minimumChargePoints", 0L), types);
  }

  static long longOf(JsonObject body, String field) {
    Number n = body.getNumber(field);
    if (n == null) throw new IllegalArgumentException(field + " is required");
    return n.longValue();
  }

  static JsonObject callRate(CallRate r) {
    JsonObject j = new JsonObject().put("prefix", r.prefix()).put("label", r.label()).put("blocked", r.blocked());
    if (r.tariff() != null) j.put("tariff", tariff(r.tariff()));
    return j;
  }

  static JsonObject streamRate(StreamRate r) {
    return new JsonObject().put("kind", r.kind().name()).put("label", r.label()).put("tariff", tariff(r.tariff()));
  }

  static JsonObject book(TariffBook book) {
    JsonArray calls = new JsonArray();
    book.callRates().forEach(r -> calls.add(callRate(r)));
    JsonArray streams = new JsonArray();
    book.streamRates().forEach(r -> streams.add(streamRate(r)));
    return new JsonObject().put("version", book.version()).put("callRates", calls).put("streamRates", streams);
  }

  static JsonObject usage(UsageRecord r) {
    return new JsonObject().put("sessionId", r.sessionId().toString()).put("owner", r.owner())
        .put("service", r.service().name()).put("destination", r.destination())
        .put("contentKind", r.contentKind() == null ? null : r.contentKind().name())
        .put("contentId", r.contentId()).put("reference", r.reference()).put("rated", r.rated())
        .put("pointType", r.pointType()).put("tariff", tariff(r.tariff()))
        .put("authorizedAt", r.authorizedAt().toString())
        .put("answeredAt", r.answeredAt() == null ? null : r.answeredAt().toString())
        .put("endedAt", r.endedAt().toString()).put("durationSeconds", r.durationSeconds())
        .put("usedSeconds", r.usedSeconds()).put("billedSeconds", r.billedSeconds()).put("points", r.points())
        .put("reason", r.reason().name());
  }

  static JsonObject live(LiveBalance l) {
    return new JsonObject().put("sessionId", l.sessionId().toString()).put("service", l.service().name())
        .put("destination", l.destination())
        .put("contentKind", l.contentKind() == null ? null : l.contentKind().name())
        .put("state", l.state().name()).put("pointType", l.pointType()).put("balanceBefore", l.balanceBefore())
        .put("usedSeconds", l.usedSeconds()).put("usedPoints", l.usedPoints())
        .put("remainingPoints", l.remainingPoints()).put("remainingSeconds", l.remainingSeconds())
        .put("finalUnit", l.finalUnit()).put("endsAt", l.endsAt() == null ? null : l.endsAt().toString())
        .put("at", l.at().toString());
  }
}

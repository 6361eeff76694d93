package dev.mileage.points.metering.store;

import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.ServiceKind;
import dev.mileage.points.metering.SessionCheckpoint;
import dev.mileage.points.metering.SessionState;
import dev.mileage.points.metering.Tariff;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/** JSON forms of tariffs and checkpoints as stored in the {@code metering} schema. */
final class Codec {
  private Codec() {
  }

  static JsonObject tariff(Tariff t) {
    return new JsonObject().put("pointsPerMinute", t.pointsPerMinute())
        .put("initialIncrementSeconds", t.initialIncrementSeconds())
        .put("subsequentIncrementSeconds", t.subsequentIncrementSeconds())
        .put("minimumChargePoints", t.minimumChargePoints())
        .put("pointTypes", new JsonArray(new ArrayList<>(t.pointTypes())));
  }

  static Tariff tariff(JsonObject j) {
    List<Integer> types = new ArrayList<>();
    for (Object o : j.getJsonArray("pointTypes")) types.add(((Number) o).intValue());
    return new Tariff(j.getLong("pointsPerMinute"), j.getInteger("initialIncrementSeconds"),
        j.getInteger("subsequentIncrementSeconds"), j.getLong("minimumChargePoints"), types);
  }

  static JsonObject checkpoint(SessionCheckpoint c) {
    AuthorizeRequest q = c.request();
    JsonArray chunks = new JsonArray();
    for (SessionCheckpoint.Chunk k : c.chunks()) {
      chunks.add(new JsonArray().add(k.number()).add(k.amount()).add(k.endSeconds()).add(k.postAmount()));
    }
    return new JsonObject()
        .put("owner", q.owner()).put("service", q.service().name()).put("destination", q.destination())
        .put("contentKind", q.contentKind() == null ? null : q.contentKind().name())
        .put("contentId", q.contentId()).put("requestPointType", q.pointType()).put("reference", q.reference())
        .put("itemPointsPerMinute", q.itemPointsPerMinute().isPresent() ? q.itemPointsPerMinute().getAsLong() : null)
        .put("rated", c.rated()).put("tariff", tariff(c.tariff())).put("pointType", c.pointType())
        .put("debitAccountId", c.debitAccountId()).put("creditAccountId", c.creditAccountId())
        .put("balanceBefore", c.balanceBefore()).put("state", c.state().name())
        .put("endReason", c.endReason() == null ? null : c.endReason().name())
        .put("authorizedAt", c.authorizedAt().toEpochMilli())
        .put("answeredAt", c.answeredAt() == null ? null : c.answeredAt().toEpochMilli())
        .put("at", c.at().toEpochMilli()).put("usedSeconds", c.usedSeconds())
        .put("grantedSeconds", c.grantedSeconds()).put("postedPoints", c.postedPoints()).put("chunks", chunks)
        .put("nextChunkNumber", c.nextChunkNumber());
  }

  static SessionCheckpoint checkpoint(UUID sessionId, JsonObject j) {
    String kind = j.getString("contentKind");
    Long itemPrice = j.getLong("itemPointsPerMinute");
    AuthorizeRequest request = new AuthorizeRequest(j.getString("owner"), ServiceKind.valueOf(j.getString("service")),
        j.getString("destination"), kind == null ? null : ContentKind.valueOf(kind), j.getString("contentId"),
        j.getInteger("requestPointType"), j.getString("reference"),
        itemPrice == null ? OptionalLong.empty() : OptionalLong.of(itemPrice)); // absent in checkpoints before item prices
    List<SessionCheckpoint.Chunk> chunks = new ArrayList<>();
    for (Object o : j.getJsonArray("chunks")) {
      JsonArray a = (JsonArray) o;
      chunks.add(new SessionCheckpoint.Chunk(a.getInteger(0), a.getLong(1), a.getLong(2), a.getLong(3)));
    }
    String reason = j.getString("endReason");
    Long answered = j.getLong("answeredAt");
    return new SessionCheckpoint(sessionId, request, j.getString("rated"), tariff(j.getJsonObject("tariff")),
        j.getInteger("pointType"), j.getLong("debitAccountId"), j.getLong("creditAccountId"),
        j.getLong("balanceBefore"), SessionState.valueOf(j.getString("state")),
        reason == null ? null : EndReason.valueOf(reason), Instant.ofEpochMilli(j.getLong("authorizedAt")),
        answered == null ? null : Instant.ofEpochMilli(answered), Instant.ofEpochMilli(j.getLong("at")),
        j.getLong("usedSeconds"), j.getLong("grantedSeconds"), j.getLong("postedPoints"), chunks,
        j.getInteger("nextChunkNumber"));
  }
}

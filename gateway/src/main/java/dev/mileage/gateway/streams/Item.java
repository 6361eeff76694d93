package dev.mileage.gateway.streams;

import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.Rating;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.TariffBook;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.Objects;

/**
 * A catalog item: what it is, where its media is, whether members can play it, and its own price.
 *
 * @param pointsPerMinute the item's own price (replaces its kind's rate), or null: rated by its kind
 */
record Item(long id, ContentKind kind, String title, String description, String contentType, Integer durationSeconds,
            long sizeBytes, long headerBytes, String fileName, Status status, Long pointsPerMinute) {
  static final int TITLE_LENGTH_MAX = 120;
  static final int DESCRIPTION_LENGTH_MAX = 2000;

  enum Status { DRAFT, READY, RETIRED }

  Item {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(status, "status");
    if (status == Status.READY && fileName == null) throw new IllegalArgumentException("a ready item has media");
    if (pointsPerMinute != null && (pointsPerMinute < 0 || pointsPerMinute > Tariff.POINTS_PER_MINUTE_MAX)) {
      throw new IllegalArgumentException("pointsPerMinute must be 0.." + Tariff.POINTS_PER_MINUTE_MAX);
    }
  }

  static Item of(Row r) {
    return new Item(r.getLong("id"), ContentKind.valueOf(r.getString("kind")), r.getString("title"),
        r.getString("description"), r.getString("content_type"), r.getInteger("duration_seconds"),
        r.getLong("size_bytes"), r.getLong("header_bytes"), r.getString("file_name"), Status.valueOf(r.getString("status")),
        r.getLong("points_per_minute"));
  }

  /** Its metering request: at its own price when it has one, else by its kind (fixed for the session). */
  AuthorizeRequest authorizeRequest(String owner) {
    AuthorizeRequest byKind = AuthorizeRequest.stream(owner, kind, Long.toString(id), "stream item " + id);
    return pointsPerMinute == null ? byKind : byKind.atItemPrice(pointsPerMinute);
  }

  /** Its rating in {@code book}: its own price on its kind's billing rules, or its kind's tariff. */
  Rating rate(TariffBook book) {
    return pointsPerMinute == null ? book.rateStream(kind) : book.rateItem(kind, pointsPerMinute);
  }

  /** Whether the item is delivered as media by time (the player's pace) rather than by transfer or query. */
  boolean timed() {
    return kind == ContentKind.VIDEO || kind == ContentKind.MUSIC || kind == ContentKind.VOICE;
  }

  JsonObject json() {
    return new JsonObject().put("id", id).put("kind", kind.name()).put("title", title).put("description", description)
        .put("contentType", contentType).put("durationSeconds", durationSeconds).put("sizeBytes", sizeBytes)
        .put("status", status.name()).put("itemPointsPerMinute", pointsPerMinute);
  }
}

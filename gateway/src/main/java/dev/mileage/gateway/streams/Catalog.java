package dev.mileage.gateway.streams;

import dev.mileage.points.metering.ContentKind;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The catalog table ({@code streams.item}). */
final class Catalog {
  static final int LIST_LIMIT_MAX = 200;
  private static final String COLUMNS = "id, kind, title, description, content_type, duration_seconds, size_bytes, "
      + "header_bytes, file_name, status, points_per_minute";

  private final Pool pool;
  private final Clock clock;

  Catalog(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Items in id order; {@code includeAll} for operators (drafts and retired too). */
  Future<List<Item>> list(ContentKind kind, boolean includeAll) {
    String where = (includeAll ? "TRUE" : "status = 'READY'") + (kind == null ? "" : " AND kind = $1");
    Tuple args = kind == null ? Tuple.tuple() : Tuple.of(kind.name());
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM streams.item WHERE " + where + " ORDER BY id LIMIT " + LIST_LIMIT_MAX)
        .execute(args).map(rows -> {
          List<Item> out = new ArrayList<>();
          for (Row r : rows) out.add(Item.of(r));
          return out;
        });
  }

  Future<Optional<Item>> get(long id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM streams.item WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.iterator().hasNext() ? Optional.of(Item.of(rows.iterator().next())) : Optional.empty());
  }

  Future<Item> create(ContentKind kind, String title, String description, String contentType, Integer durationSeconds) {
    OffsetDateTime now = now();
    return pool.preparedQuery("INSERT INTO streams.item (kind, title, description, content_type, duration_seconds, status, "
            + "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'DRAFT', $6, $6) RETURNING " + COLUMNS)
        .execute(Tuple.of(kind.name(), title, description, contentType, durationSeconds, now))
        .map(rows -> Item.of(rows.iterator().next()));
  }

  /** Title, description or status; null leaves a field as it is. Empty when there is no such item. */
  Future<Optional<Item>> update(long id, String title, String description, Item.Status status) {
    return pool.preparedQuery("UPDATE streams.item SET title = COALESCE($2, title), description = COALESCE($3, description), "
            + "status = COALESCE($4, status), updated_at = $5 WHERE id = $1 RETURNING " + COLUMNS)
        .execute(Tuple.of(id, title, description, status == null ? null : status.name(), now()))
        .map(rows -> rows.iterator().hasNext() ? Optional.of(Item.of(rows.iterator().next())) : Optional.empty());
  }

  /** Sets (or with null clears) the item's own price. Empty when there is no such item. */
  Future<Optional<Item>> price(long id, Long pointsPerMinute) {
    return pool.preparedQuery("UPDATE streams.item SET points_per_minute = $2, updated_at = $3 WHERE id = $1 RETURNING "
            + COLUMNS)
        .execute(Tuple.of(id, pointsPerMinute, now()))
        .map(rows -> rows.iterator().hasNext() ? Optional.of(Item.of(rows.iterator().next())) : Optional.empty());
  }

  /** The uploaded media is in place: the item becomes playable (a retired item stays retired). */
  Future<Optional<Item>> attachMedia(long id, String fileName, String sha256, long sizeBytes, long headerBytes,
                                     Integer durationSeconds) {
    return pool.preparedQuery("UPDATE streams.item SET file_name = $2, sha256 = $3, size_bytes = $4, header_bytes = $5, "
            + "duration_seconds = COALESCE($6, duration_seconds), status = CASE WHEN status = 'RETIRED' THEN 'RETIRED' "
            + "ELSE 'READY' END, updated_at = $7 WHERE id = $1 RETURNING " + COLUMNS)
        .execute(Tuple.of(id, fileName, sha256, sizeBytes, headerBytes, durationSeconds, now()))
        .map(rows -> rows.iterator().hasNext() ? Optional.of(Item.of(rows.iterator().next())) : Optional.empty());
  }

  /** A demo item, once: answers the existing row when its key is known. */
  Future<Item> ensureDemo(String key, ContentKind kind, String title, String description, String contentType) {
    OffsetDateTime now = now();
    return pool.preparedQuery("INSERT INTO streams.item (kind, title, description, content_type, status, demo_key, created_at, "
            + "updated_at) VALUES ($1, $2, $3, $4, 'DRAFT', $5, $6, $6) ON CONFLICT (demo_key) DO NOTHING")
        .execute(Tuple.of(kind.name(), title, description, contentType, key, now))
        .compose(v -> pool.preparedQuery("SELECT " + COLUMNS + " FROM streams.item WHERE demo_key = $1").execute(Tuple.of(key)))
        .map(rows -> Item.of(rows.iterator().next()));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}

package dev.mileage.points.metering.store;

import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.StreamRate;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.TariffBook;
import dev.mileage.points.metering.TariffChange;
import dev.mileage.points.metering.Tariffs;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tariff book in PostgreSQL. Each change is one transaction that bumps the book's version; the
 * in-memory book is then reloaded whole (it is small), so readers always see one consistent version.
 */
public final class PgTariffs implements Tariffs {
  private static final String RATE_COLUMNS = "label, points_per_minute, initial_increment_seconds,"
      + " subsequent_increment_seconds, minimum_charge_points, point_types";

  private final Pool pool;
  private final AtomicReference<TariffBook> book = new AtomicReference<>(TariffBook.empty());

  private PgTariffs(Pool pool) {
    this.pool = pool;
  }

  /** Loads the current book; the stage completes when it is in memory. */
  public static CompletionStage<PgTariffs> load(Pool pool) {
    PgTariffs tariffs = new PgTariffs(java.util.Objects.requireNonNull(pool, "pool"));
    return tariffs.reload().map(v -> tariffs).toCompletionStage();
  }

  @Override
  public TariffBook current() {
    return book.get();
  }

  @Override
  public CompletionStage<TariffChange> putCallRate(CallRate rate) {
    return change(conn -> conn.preparedQuery("SELECT count(*) AS n, bool_or(prefix = $1) AS present"
            + " FROM metering.call_rates").execute(Tuple.of(rate.prefix()))
        .compose(rows -> {
          Row row = rows.iterator().next();
          boolean present = Boolean.TRUE.equals(row.getBoolean("present"));
          if (!present && row.getLong("n") >= TariffBook.CALL_RATES_MAX) {
            return Future.succeededFuture(TariffChange.TOO_MANY_RATES);
          }
          Tariff t = rate.tariff();
          return conn.preparedQuery("""
                  INSERT INTO metering.call_rates (prefix, label, blocked, points_per_minute,
                    initial_increment_seconds, subsequent_increment_seconds, minimum_charge_points, point_types)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                  ON CONFLICT (prefix) DO UPDATE SET label = excluded.label, blocked = excluded.blocked,
                    points_per_minute = excluded.points_per_minute,
                    initial_increment_seconds = excluded.initial_increment_seconds,
                    subsequent_increment_seconds = excluded.subsequent_increment_seconds,
                    minimum_charge_points = excluded.minimum_charge_points, point_types = excluded.point_types""")
              .execute(Tuple.wrap(new ArrayList<>(java.util.Arrays.asList(rate.prefix(), rate.label(), rate.blocked(),
                  t == null ? null : t.pointsPerMinute(), t == null ? null : t.initialIncrementSeconds(),
                  t == null ? null : t.subsequentIncrementSeconds(), t == null ? null : t.minimumChargePoints(),
                  t == null ? null : t.pointTypes().toArray(Integer[]::new)))))
              .map(TariffChange.OK);
        }));
  }

  @Override
  public CompletionStage<TariffChange> removeCallRate(String prefix) {
    return change(conn -> conn.preparedQuery("DELETE FROM metering.call_rates WHERE prefix = $1")
        .execute(Tuple.of(prefix)).map(rows -> rows.rowCount() == 0 ? TariffChange.NOT_FOUND : TariffChange.OK));
  }

  @Override
  public CompletionStage<TariffChange> putStreamRate(StreamRate rate) {
    Tariff t = rate.tariff();
    return change(conn -> conn.preparedQuery("""
            INSERT INTO metering.stream_rates (kind, label, points_per_minute, initial_increment_seconds,
              subsequent_increment_seconds, minimum_charge_points, point_types)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (kind) DO UPDATE SET label = excluded.label, points_per_minute = excluded.points_per_minute,
              initial_increment_seconds = excluded.initial_increment_seconds,
              subsequent_increment_seconds = excluded.subsequent_increment_seconds,
              minimum_charge_points = excluded.minimum_charge_points, point_types = excluded.point_types""")
        .execute(Tuple.of(rate.kind().name(), rate.label(), t.pointsPerMinute(), t.initialIncrementSeconds(),
            t.subsequentIncrementSeconds(), t.minimumChargePoints(), t.pointTypes().toArray(Integer[]::new)))
        .map(TariffChange.OK));
  }

  @Override
  public CompletionStage<TariffChange> removeStreamRate(ContentKind kind) {
    return change(conn -> conn.preparedQuery("DELETE FROM metering.stream_rates WHERE kind = $1")
        .execute(Tuple.of(kind.name())).map(rows -> rows.rowCount() == 0 ? TariffChange.NOT_FOUND : TariffChange.OK));
  }

  private CompletionStage<TariffChange> change(java.util.function.Function<SqlConnection, Future<TariffChange>> work) {
    return pool.withTransaction(conn -> work.apply(conn).compose(result -> result != TariffChange.OK
            ? Future.succeededFuture(result)
            : conn.query("UPDATE metering.tariff_version SET version = version + 1").execute().map(result)))
        .compose(result -> reload().map(result))
        .toCompletionStage();
  }

  /** Reads the whole book in one snapshot and keeps it unless a newer one got there first. */
  private Future<Void> reload() {
    return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
        .compose(v -> conn.query("SELECT version FROM metering.tariff_version").execute())
        .compose(versionRows -> conn.query("SELECT prefix, blocked, " + RATE_COLUMNS + " FROM metering.call_rates")
            .execute().compose(callRows -> conn.query("SELECT kind, " + RATE_COLUMNS + " FROM metering.stream_rates")
                .execute().map(streamRows -> {
                  List<CallRate> calls = new ArrayList<>();
                  for (Row r : callRows) {
                    calls.add(r.getBoolean("blocked") ? CallRate.blocked(r.getString("prefix"), r.getString("label"))
                        : CallRate.rated(r.getString("prefix"), r.getString("label"), tariff(r)));
                  }
                  List<StreamRate> streams = new ArrayList<>();
                  for (Row r : streamRows) {
                    streams.add(new StreamRate(ContentKind.valueOf(r.getString("kind")), r.getString("label"), tariff(r)));
                  }
                  return new TariffBook(versionRows.iterator().next().getLong("version"), calls, streams);
                }))))
        .map(fresh -> {
          book.accumulateAndGet(fresh, (old, neu) -> neu.version() >= old.version() ? neu : old);
          return null;
        });
  }

  private static Tariff tariff(Row r) {
    Integer[] types = r.getArrayOfIntegers("point_types");
    return new Tariff(r.getLong("points_per_minute"), r.getInteger("initial_increment_seconds"),
        r.getInteger("subsequent_increment_seconds"), r.getLong("minimum_charge_points"), List.of(types));
  }
}

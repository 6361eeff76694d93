package dev.mileage.points.metering.store;

import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.MeterStore;
import dev.mileage.points.metering.ServiceKind;
import dev.mileage.points.metering.SessionCheckpoint;
import dev.mileage.points.metering.UsageQuery;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meter's store in PostgreSQL (schema {@code metering}). Checkpoint saves and finishes are
 * group-committed: requests queue up while one transaction is under way and the next transaction
 * writes them all (one statement per kind, arrays through {@code unnest}), in order, so a finish is
 * never overtaken by an earlier save of the same session.
 */
public final class PgMeterStore implements MeterStore {
  /** Requests waiting for the writer at most; past it saves fail fast (the meter backs off). */
  public static final int QUEUE_MAX = 1_000_000;
  /** Requests written per transaction at most. */
  public static final int BATCH_MAX = 4096;

  private static final String UPSERT = """
      INSERT INTO metering.checkpoints (session_id, owner, body, updated_at)
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]::jsonb[], $4::timestamptz[])
      ON CONFLICT (session_id) DO UPDATE
        SET owner = excluded.owner, body = excluded.body, updated_at = excluded.updated_at""";
  private static final String DELETE = "DELETE FROM metering.checkpoints WHERE session_id = ANY($1::uuid[])";
  private static final String INSERT_USAGE = """
      INSERT INTO metering.usage_records (session_id, owner, service, destination, content_kind, content_id,
        reference, rated, point_type, tariff, authorized_at, answered_at, ended_at, duration_seconds,
        used_seconds, billed_seconds, points, reason)
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::text[], $9::int[], $10::text[]::jsonb[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[],
        $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::text[])
      ON CONFLICT (session_id) DO NOTHING""";
  private static final String USAGE_COLUMNS = "session_id, owner, service, destination, content_kind, content_id,"
      + " reference, rated, point_type, tariff::text AS tariff, authorized_at, answered_at, ended_at,"
      + " duration_seconds, used_seconds, billed_seconds, points, reason";

  private record Request(UUID sessionId, SessionCheckpoint save, UsageRecord finish, Completion done) {
  }

  /** A caller's stage: complete once every request of it is written; the first failure fails it. */
  private static final class Completion {
    final CompletableFuture<Void> future = new CompletableFuture<>();
    final AtomicInteger left;

    Completion(int requests) {
      left = new AtomicInteger(requests);
    }

    void written(Throwable error) {
      if (error != null) future.completeExceptionally(error);
      else if (left.decrementAndGet() == 0) future.complete(null);
    }
  }

  private final Pool pool;
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private boolean writing;

  public PgMeterStore(Pool pool) {
    this.pool = java.util.Objects.requireNonNull(pool, "pool");
  }

  @Override
  public CompletionStage<Void> save(SessionCheckpoint checkpoint) {
    return saveAll(List.of(checkpoint));
  }

  /** One completion for all: a tick's renewals wait for one answer, not one each. */
  @Override
  public CompletionStage<Void> saveAll(List<SessionCheckpoint> checkpoints) {
    if (checkpoints.isEmpty()) return CompletableFuture.completedFuture(null);
    Completion done = new Completion(checkpoints.size());
    List<Request> requests = new ArrayList<>(checkpoints.size());
    for (SessionCheckpoint c : checkpoints) requests.add(new Request(c.sessionId(), c, null, done));
    return enqueue(requests, done);
  }

  @Override
  public CompletionStage<Void> discard(UUID sessionId) {
    Completion done = new Completion(1);
    return enqueue(List.of(new Request(sessionId, null, null, done)), done);
  }

  @Override
  public CompletionStage<Void> finish(UsageRecord record) {
    Completion done = new Completion(1);
    return enqueue(List.of(new Request(record.sessionId(), null, record, done)), done);
  }

  @Override
  public CompletionStage<List<SessionCheckpoint>> openCheckpoints() {
    return pool.query("SELECT session_id, body::text AS body FROM metering.checkpoints ORDER BY updated_at").execute()
        .map(rows -> {
          List<SessionCheckpoint> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            out.add(Codec.checkpoint(row.getUUID("session_id"), new JsonObject(row.getString("body"))));
          }
          return out;
        }).toCompletionStage();
  }

  @Override
  public CompletionStage<List<UsageRecord>> usage(UsageQuery query) {
    Instant before = query.before() == null ? Instant.parse("9999-12-31T00:00:00Z") : query.before();
    return pool.preparedQuery("SELECT " + USAGE_COLUMNS + " FROM metering.usage_records"
            + " WHERE ($1 = '' OR owner = $1) AND ended_at < $2 ORDER BY ended_at DESC, session_id LIMIT $3")
        .execute(Tuple.of(query.owner(), OffsetDateTime.ofInstant(before, ZoneOffset.UTC), query.limit()))
        .map(rows -> {
          List<UsageRecord> out = new ArrayList<>(rows.size());
          for (Row row : rows) out.add(usage(row));
          return out;
        }).toCompletionStage();
  }

  @Override
  public CompletionStage<Optional<UsageRecord>> usageOf(UUID sessionId) {
    return pool.preparedQuery("SELECT " + USAGE_COLUMNS + " FROM metering.usage_records WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(rows -> rows.size() == 0 ? Optional.<UsageRecord>empty() : Optional.of(usage(rows.iterator().next())))
        .toCompletionStage();
  }

  private CompletionStage<Void> enqueue(List<Request> requests, Completion done) {
    boolean start;
    synchronized (queue) {
      if (queue.size() + requests.size() > QUEUE_MAX) {
        return CompletableFuture.failedFuture(new IllegalStateException("metering store queue full"));
      }
      queue.addAll(requests);
      start = !writing;
      if (start) writing = true;
    }
    if (start) writeNext();
    return done.future;
  }

  private void writeNext() {
    List<Request> batch = new ArrayList<>();
    synchronized (queue) {
      while (!queue.isEmpty() && batch.size() < BATCH_MAX) batch.add(queue.poll());
      if (batch.isEmpty()) {
        writing = false;
        return;
      }
    }
    // in order: a later request of a session replaces an earlier save; a finish or discard removes the row
    Map<UUID, SessionCheckpoint> saves = new LinkedHashMap<>();
    Map<UUID, UsageRecord> finishes = new LinkedHashMap<>();
    List<UUID> deletes = new ArrayList<>();
    for (Request r : batch) {
      if (r.save() != null) {
        saves.put(r.sessionId(), r.save());
      } else {
        saves.remove(r.sessionId());
        deletes.add(r.sessionId());
        if (r.finish() != null) finishes.put(r.sessionId(), r.finish());
      }
    }
    pool.withTransaction(conn -> {
      Future<?> f = Future.succeededFuture();
      if (!finishes.isEmpty()) f = f.compose(v -> conn.preparedQuery(INSERT_USAGE).execute(usageTuple(finishes.values())));
      if (!deletes.isEmpty()) f = f.compose(v -> conn.preparedQuery(DELETE).execute(Tuple.of(deletes.toArray(UUID[]::new))));
      if (!saves.isEmpty()) f = f.compose(v -> conn.preparedQuery(UPSERT).execute(saveTuple(saves.values())));
      return f;
    }).onComplete(ar -> {
      for (Request r : batch) r.done().written(ar.succeeded() ? null : ar.cause());
      writeNext();
    });
  }

  private static Tuple saveTuple(java.util.Collection<SessionCheckpoint> saves) {
    int n = saves.size();
    UUID[] ids = new UUID[n];
    String[] owners = new String[n];
    String[] bodies = new String[n];
    OffsetDateTime[] at = new OffsetDateTime[n];
    int i = 0;
    for (SessionCheckpoint c : saves) {
      ids[i] = c.sessionId();
      owners[i] = c.request().owner();
      bodies[i] = Codec.checkpoint(c).encode();
      at[i] = time(c.at());
      i++;
    }
    return Tuple.of(ids, owners, bodies, at);
  }

  private static Tuple usageTuple(java.util.Collection<UsageRecord> records) {
    int n = records.size();
    UUID[] ids = new UUID[n];
    String[] owner = new String[n], service = new String[n], destination = new String[n], kind = new String[n];
    String[] contentId = new String[n], reference = new String[n], rated = new String[n], tariff = new String[n];
    String[] reason = new String[n];
    Integer[] pointType = new Integer[n];
    OffsetDateTime[] authorized = new OffsetDateTime[n], answered = new OffsetDateTime[n], ended = new OffsetDateTime[n];
    Long[] duration = new Long[n], used = new Long[n], billed = new Long[n], points = new Long[n];
    int i = 0;
    for (UsageRecord r : records) {
      ids[i] = r.sessionId();
      owner[i] = r.owner();
      service[i] = r.service().name();
      destination[i] = r.destination();
      kind[i] = r.contentKind() == null ? null : r.contentKind().name();
      contentId[i] = r.contentId();
      reference[i] = r.reference();
      rated[i] = r.rated();
      pointType[i] = r.pointType();
      tariff[i] = Codec.tariff(r.tariff()).encode();
      authorized[i] = time(r.authorizedAt());
      answered[i] = r.answeredAt() == null ? null : time(r.answeredAt());
      ended[i] = time(r.endedAt());
      duration[i] = r.durationSeconds();
      used[i] = r.usedSeconds();
      billed[i] = r.billedSeconds();
      points[i] = r.points();
      reason[i] = r.reason().name();
      i++;
    }
    return Tuple.wrap(new ArrayList<>(List.of(ids, owner, service, destination, kind, contentId, reference, rated,
        pointType, tariff, authorized, answered, ended, duration, used, billed, points, reason)));
  }

  private static UsageRecord usage(Row row) {
    String kind = row.getString("content_kind");
    OffsetDateTime answered = row.getOffsetDateTime("answered_at");
    return new UsageRecord(row.getUUID("session_id"), row.getString("owner"),
        ServiceKind.valueOf(row.getString("service")), row.getString("destination"),
        kind == null ? null : ContentKind.valueOf(kind), row.getString("content_id"), row.getString("reference"),
        row.getString("rated"), row.getInteger("point_type"), Codec.tariff(new JsonObject(row.getString("tariff"))),
        row.getOffsetDateTime("authorized_at").toInstant(), answered == null ? null : answered.toInstant(),
        row.getOffsetDateTime("ended_at").toInstant(), row.getLong("duration_seconds"), row.getLong("used_seconds"),
        row.getLong("billed_seconds"), row.getLong("points"), EndReason.valueOf(row.getString("reason")));
  }

  static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}

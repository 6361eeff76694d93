package dev.mileage.gateway.trading;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The durable outbox of partner events. An event is written to PostgreSQL first (its id derived from the
 * business key, so writing it twice keeps one) and then delivered as a signed webhook until the shop answers
 * 2xx: each failure pushes the next attempt out exponentially up to {@link #BACKOFF_MAX}, and an event is
 * never dropped. A claimed batch is leased for {@link #LEASE}: a gateway that dies mid-delivery leaves
 * the events to be delivered again (at least once; shops de-duplicate by event id). Shops also read their
 * events through the API.
 */
final class Outbox {
  static final Duration BACKOFF_BASE = Duration.ofSeconds(2);
  static final Duration BACKOFF_MAX = Duration.ofHours(1);
  static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(5);
  static final Duration LEASE = DELIVERY_TIMEOUT.multipliedBy(3);
  static final int BATCH_MAX = 50;
  static final int EVENTS_PAGE_MAX = 200;
  static final int ERROR_LENGTH_MAX = 200;
  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

  private final Pool pool;
  private final Clock clock;
  private final Partners partners;
  private final HttpClient http;
  private boolean delivering;

  Outbox(Vertx vertx, Pool pool, Clock clock, Partners partners) {
    this.pool = pool;
    this.clock = clock;
    this.partners = partners;
    this.http = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) DELIVERY_TIMEOUT.toMillis()).setKeepAlive(false));
  }

  /** Records an event for the shop whose points {@code pointType} are; nothing for other types. */
  Future<Void> recordFor(int pointType, String businessKey, String type, JsonObject data) {
    return partners.ofPointType(pointType).map(id -> record(id, businessKey, type, data))
        .orElse(Future.succeededFuture());
  }

  Future<Void> record(long partnerId, String businessKey, String type, JsonObject data) {
    UUID eventId = dev.mileage.points.ledger.Transfer.idOf("partner-event:" + partnerId + ":" + businessKey);
    Instant now = clock.instant();
    String payload = new JsonObject().put("eventId", eventId.toString()).put("type", type).put("partnerId", partnerId)
        .put("occurredAt", now.toString()).put("data", data).encode();
    return pool.preparedQuery("INSERT INTO trading.outbox (partner_id, event_id, event_type, payload, created_at, next_attempt_at)"
            + " VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (event_id) DO NOTHING")
        .execute(Tuple.of(partnerId, eventId, type, payload, now.atOffset(ZoneOffset.UTC))).mapEmpty();
  }

  static Duration backoff(int attempts) {
    int shift = Math.min(Math.max(attempts - 1, 0), 30);
    Duration d = BACKOFF_BASE.multipliedBy(1L << shift);
    return d.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : d;
  }

  private record Due(long id, long partnerId, String eventId, String payload, int attempts, String url, String secret) {
  }

  /** Delivers the events that are due (one run at a time); answers how many were delivered. */
  Future<Integer> deliverDue() {
    synchronized (this) {
      if (delivering) return Future.succeededFuture(0);
      delivering = true;
    }
    Instant now = clock.instant();
    return pool.preparedQuery("UPDATE trading.outbox o SET next_attempt_at = $2 FROM trading.partner p"
            + " WHERE o.id IN (SELECT o2.id FROM trading.outbox o2 JOIN trading.partner p2 ON p2.id = o2.partner_id"
            + "   WHERE o2.delivered_at IS NULL AND o2.next_attempt_at <= $1 AND p2.webhook_url IS NOT NULL AND p2.active"
            + "   ORDER BY o2.next_attempt_at, o2.id LIMIT " + BATCH_MAX + " FOR UPDATE OF o2 SKIP LOCKED)"
            + " AND p.id = o.partner_id"
            + " RETURNING o.id, o.partner_id, o.event_id, o.payload, o.attempts, p.webhook_url, p.secret")
        .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), now.plus(LEASE).atOffset(ZoneOffset.UTC)))
        .compose(rows -> {
          List<Due> due = new ArrayList<>();
          for (Row r : rows) {
            due.add(new Due(r.getLong("id"), r.getLong("partner_id"), r.getUUID("event_id").toString(),
                r.getString("payload"), r.getInteger("attempts"), r.getString("webhook_url"),
                partners.secretOf(r.getLong("partner_id"), r.getString("secret"))));
          }
          List<Future<Boolean>> sent = new ArrayList<>();
          for (Due d : due) sent.add(deliver(d));
          return Future.join(sent).map(all -> {
            int ok = 0;
            for (Future<Boolean> f : sent) if (f.succeeded() && f.result()) ok++;
            return ok;
          });
        })
        .onComplete(r -> {
          synchronized (this) {
            delivering = false;
          }
        });
  }

  private Future<Boolean> deliver(Due d) {
    long ts = clock.instant().getEpochSecond();
    byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
    Future<Integer> status;
    if (d.secret() == null) { // never sent unsigned: a failed attempt until the operator fixes the key
      status = Future.failedFuture(new IllegalStateException("the shop's secret does not open with this gateway's key"));
    } else {
      try {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.url())
            .setIdleTimeout(DELIVERY_TIMEOUT.toMillis()).setConnectTimeout(DELIVERY_TIMEOUT.toMillis())
            .putHeader("Content-Type", "application/json")
            .putHeader(PartnerSignature.WEBHOOK_EVENT, d.eventId())
            .putHeader(PartnerSignature.WEBHOOK_TIMESTAMP, Long.toString(ts))
            .putHeader(PartnerSignature.WEBHOOK_SIGNATURE, PartnerSignature.webhook(d.secret(), ts, body));
        // the body is read inside send()'s composition, never one level out (see HttpRateFeed)
        status = http.request(options).compose(req -> req.send(Buffer.buffer(body))
            .compose(resp -> resp.body().map(b -> resp.statusCode())));
      } catch (RuntimeException e) { // a malformed stored URL: treated as a failed attempt, retried later
        status = Future.failedFuture(e);
      }
    }
    return status.transform(ar -> {
      Instant now = clock.instant();
      if (ar.succeeded() && ar.result() / 100 == 2) {
        return pool.preparedQuery("UPDATE trading.outbox SET delivered_at = $2, attempts = attempts + 1, last_error = NULL"
                + " WHERE id = $1").execute(Tuple.of(d.id(), now.atOffset(ZoneOffset.UTC))).map(true);
      }
      String error = ar.succeeded() ? "HTTP " + ar.result() : String.valueOf(ar.cause().getMessage());
      if (error.length() > ERROR_LENGTH_MAX) error = error.substring(0, ERROR_LENGTH_MAX);
      int attempts = d.attempts() + 1;
      LOG.fine(() -> "webhook to partner " + d.partnerId() + " failed (attempt " + attempts + ")");
      return pool.preparedQuery("UPDATE trading.outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1")
          .execute(Tuple.of(d.id(), attempts, now.plus(backoff(attempts)).atOffset(ZoneOffset.UTC), error)).map(false);
    });
  }

  /** The shop's events after {@code afterId}, oldest first, with their delivery state. */
  Future<JsonArray> events(long partnerId, long afterId, int limit) {
    return pool.preparedQuery("SELECT id, event_id, event_type, payload, created_at, attempts, next_attempt_at, delivered_at,"
            + " last_error FROM trading.outbox WHERE partner_id = $1 AND id > $2 ORDER BY id LIMIT $3")
        .execute(Tuple.of(partnerId, afterId, Math.min(limit, EVENTS_PAGE_MAX))).map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            JsonObject e = new JsonObject().put("id", r.getLong("id")).put("eventId", r.getUUID("event_id").toString())
                .put("type", r.getString("event_type")).put("event", new JsonObject(r.getString("payload")))
                .put("attempts", r.getInteger("attempts"))
                .put("delivered", r.getOffsetDateTime("delivered_at") != null);
            if (r.getOffsetDateTime("delivered_at") != null) e.put("deliveredAt", r.getOffsetDateTime("delivered_at").toInstant().toString());
            else e.put("nextAttemptAt", r.getOffsetDateTime("next_attempt_at").toInstant().toString());
            if (r.getString("last_error") != null) e.put("lastError", r.getString("last_error"));
            out.add(e);
          }
          return out;
        });
  }

  void close() {
    http.close();
  }
}

package dev.mileage.gateway.trading;

import dev.mileage.gateway.http.AuthenticationException;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.SecretBox;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Partner shops: registered by operators, each with its own point type (issued by {@code partner:<id>}) and
 * an HMAC secret. Requests are signed (see {@link PartnerSignature}); a timestamp outside
 * {@link #SIGNATURE_WINDOW} or a nonce already seen inside it is refused, so a captured request cannot be
 * replayed. Wrong signatures count against the source address.
 */
final class Partners implements Authenticator {
  static final String ROLE = "partner";
  static final Duration SIGNATURE_WINDOW = Duration.ofMinutes(5);
  static final int NONCE_LENGTH_MIN = 16;
  static final int NONCE_LENGTH_MAX = 64;
  static final int KEY_LENGTH_MAX = 40;
  private static final Logger LOG = Logger.getLogger(Partners.class.getName());
  static final int FAILURES_PER_SOURCE_MAX = 20;
  static final int SOURCES_MAX = 100_000;
  static final int PARTNERS_CACHED_MAX = 10_000;

  record Partner(long id, String name, int pointType, String secret, String webhookUrl, boolean active) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Ledger ledger;
  private final Clock clock;
  private final GuessLimiter sources;
  private final SecretBox secrets;
  private final SecureRandom random = new SecureRandom();
  private final Map<Long, Partner> byId = new ConcurrentHashMap<>();
  private final Map<Integer, Long> byType = new ConcurrentHashMap<>();

  Partners(Vertx vertx, Pool pool, Ledger ledger, Clock clock, SecretBox secrets) {
    this.secrets = secrets;
    this.vertx = vertx;
    this.pool = pool;
    this.ledger = ledger;
    this.clock = clock;
    this.sources = GuessLimiter.persistent("trading.partner_source", FAILURES_PER_SOURCE_MAX, Duration.ofMinutes(1),
        SOURCES_MAX, clock, pool);
  }

  static String owner(long partnerId) {
    return "partner:" + partnerId;
  }

  /**
   * Loads every partner (there are few: shops under contract) so the type-to-shop map is complete. A secret
   * stored in clear by an older version is sealed now, in place.
   */
  Future<Void> load() {
    return pool.query("SELECT id, name, point_type, secret, webhook_url, active FROM trading.partner").execute()
        .compose(rows -> {
          List<Future<?>> sealing = new java.util.ArrayList<>();
          for (Row r : rows) {
            String stored = r.getString("secret");
            if (!SecretBox.isSealed(stored)) {
              long id = r.getLong("id");
              sealing.add(pool.preparedQuery("UPDATE trading.partner SET secret = $2 WHERE id = $1 AND secret = $3")
                  .execute(Tuple.of(id, secrets.seal(stored, context(id)), stored)));
            }
            remember(partner(r));
          }
          return Future.all(sealing).mapEmpty();
        });
  }

  /** What a partner's sealed secret is bound to: its row. */
  static String context(long partnerId) {
    return "trading.partner:" + partnerId;
  }

  /**
   * The clear secret of a stored (sealed, or an older version's clear) value; null when it does not open
   * (another key, copied from another row, altered): that shop is then refused, the rest keep working.
   */
  String secretOf(long partnerId, String stored) {
    if (!SecretBox.isSealed(stored)) return stored;
    try {
      return secrets.open(stored, context(partnerId));
    } catch (IllegalArgumentException e) {
      LOG.warning("partner " + partnerId + ": its stored secret does not open with this gateway's secrets key");
      return null;
    }
  }

  private void remember(Partner p) {
    if (byId.size() < PARTNERS_CACHED_MAX || byId.containsKey(p.id())) byId.put(p.id(), p);
    byType.put(p.pointType(), p.id());
  }

  private Partner partner(Row r) {
    return new Partner(r.getLong("id"), r.getString("name"), r.getInteger("point_type"),
        secretOf(r.getLong("id"), r.getString("secret")),
        r.getString("webhook_url"), r.getBoolean("active"));
  }

  /** The shop whose points these are, if any. */
  Optional<Long> ofPointType(int pointType) {
    return Optional.ofNullable(byType.get(pointType));
  }

  Future<Optional<Partner>> get(long id) {
    Partner cached = byId.get(id);
    if (cached != null) return Future.succeededFuture(Optional.of(cached));
    return pool.preparedQuery("SELECT id, name, point_type, secret, webhook_url, active FROM trading.partner WHERE id = $1")
        .execute(Tuple.of(id)).map(rows -> {
          if (rows.size() == 0) return Optional.empty();
          Partner p = partner(rows.iterator().next());
          remember(p);
          return Optional.of(p);
        });
  }

  /**
   * Registers a shop and defines its point type; answers the credentials, whose secret is shown this once.
   * A code already used by another issuer answers null.
   */
  Future<JsonObject> register(String name, String code, long cashMicrosPerUnit, String webhookUrl) {
    byte[] secretBytes = new byte[32];
    random.nextBytes(secretBytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    return pool.query("SELECT nextval('trading.partner_id_seq')").execute().compose(seq -> {
      long id = seq.iterator().next().getLong(0);
      return Web.future(vertx, ledger.definePointType(code, PointKind.PURCHASE_POINTS, owner(id), cashMicrosPerUnit,
          Set.of())).compose(type -> {
            if (!type.issuer().equals(owner(id))) return Future.succeededFuture((JsonObject) null);
            return pool.preparedQuery("INSERT INTO trading.partner (id, name, point_type, secret, webhook_url, created_at)"
                    + " VALUES ($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.of(id, name, type.id(), secrets.seal(secret, context(id)), webhookUrl,
                    clock.instant().atOffset(ZoneOffset.UTC)))
                .map(r -> {
                  remember(new Partner(id, name, type.id(), secret, webhookUrl, true));
                  return new JsonObject().put("id", id).put("name", name).put("pointType", type.id())
                      .put("code", type.code()).put("apiKey", "pk_" + id).put("secret", secret)
                      .put("webhookUrl", webhookUrl);
                });
          });
    });
  }

  Future<io.vertx.core.json.JsonArray> list() {
    return pool.query("SELECT id, name, point_type, webhook_url, active, created_at FROM trading.partner ORDER BY id")
        .execute().map(rows -> {
          io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("id", r.getLong("id")).put("name", r.getString("name"))
                .put("pointType", r.getInteger("point_type")).put("webhookUrl", r.getString("webhook_url"))
                .put("active", r.getBoolean("active")));
          }
          return out;
        });
  }

  /** Nonces older than the window can no longer be replayed (their timestamp is refused): forget them. */
  Future<Integer> forgetOldNonces() {
    return pool.preparedQuery("DELETE FROM trading.partner_nonce WHERE seen_at < $1")
        .execute(Tuple.of(clock.instant().minus(SIGNATURE_WINDOW.multipliedBy(2)).atOffset(ZoneOffset.UTC)))
        .map(r -> r.rowCount());
  }

  @Override
  public Future<Caller> authenticate(HttpServerRequest request, String client) {
    String key = request.getHeader(PartnerSignature.KEY);
    if (key == null) return Future.succeededFuture(null);
    String source = "partner-auth:" + client;
    if (sources.retryAfterSeconds(source) > 0) {
      return Future.failedFuture(new AuthenticationException(429, "too many failed attempts; try again later"));
    }
    long id;
    long timestamp;
    String nonce = request.getHeader(PartnerSignature.NONCE);
    String digest = request.getHeader(PartnerSignature.CONTENT_SHA256);
    String signature = request.getHeader(PartnerSignature.SIGNATURE);
    try {
      if (key.length() > KEY_LENGTH_MAX || !key.startsWith("pk_")) throw new NumberFormatException();
      id = Long.parseLong(key.substring(3));
      timestamp = Long.parseLong(String.valueOf(request.getHeader(PartnerSignature.TIMESTAMP)));
    } catch (NumberFormatException e) {
      return refuse(source, "invalid partner credentials");
    }
    if (nonce == null || !nonce.matches("[A-Za-z0-9_-]{" + NONCE_LENGTH_MIN + "," + NONCE_LENGTH_MAX + "}")
        || digest == null || !digest.matches("[0-9a-f]{64}") || signature == null) {
      return refuse(source, "signed partner requests need " + PartnerSignature.TIMESTAMP + ", " + PartnerSignature.NONCE
          + " (16-64 of A-Z a-z 0-9 _ -), " + PartnerSignature.CONTENT_SHA256 + " and " + PartnerSignature.SIGNATURE);
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - timestamp) > SIGNATURE_WINDOW.toSeconds()) {
      return Future.failedFuture(new AuthenticationException(401, "timestamp outside the " + SIGNATURE_WINDOW.toMinutes()
          + "-minute window: check the shop's clock"));
    }
    String method = request.method().name();
    String path = request.uri();
    return get(id).compose(p -> {
      if (p.isEmpty() || !p.get().active() || p.get().secret() == null || !PartnerSignature.same(PartnerSignature.hmac(p.get().secret(),
          PartnerSignature.canonical(method, path, timestamp, nonce, digest)), signature)) {
        return refuse(source, "invalid partner credentials");
      }
      return pool.preparedQuery("INSERT INTO trading.partner_nonce (partner_id, nonce, seen_at) VALUES ($1, $2, $3)"
              + " ON CONFLICT DO NOTHING")
          .execute(Tuple.of(id, nonce, clock.instant().atOffset(ZoneOffset.UTC)))
          .compose(r -> r.rowCount() == 1 ? Future.succeededFuture(new Caller(Caller.Kind.PARTNER, Long.toString(id), Set.of(ROLE)))
              : Future.failedFuture(new AuthenticationException(401, "replayed request: this nonce was already used")));
    });
  }

  private Future<Caller> refuse(String source, String reason) {
    sources.recordFailure(source);
    return Future.failedFuture(new AuthenticationException(401, reason));
  }
}

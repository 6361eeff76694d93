package dev.mileage.gateway.certificates;

import dev.mileage.gateway.http.AuthenticationException;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.GuessLimiter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Chain stores registered by operators, and the POS credential: {@code X-Store-Key: sk_<storeId>_<secret>},
 * 256 random bits of which only a SHA-256 is stored (a fast hash is enough for a key nobody chose). Wrong
 * keys count against the source address; past the limit the source gets 429 until the window ends.
 */
final class Stores implements Authenticator {
  static final String HEADER = "X-Store-Key";
  static final int KEY_LENGTH_MAX = 80;
  static final String ROLE = "store";

  private final Pool pool;
  private final Clock clock;
  private final GuessLimiter sources;
  private final SecureRandom random = new SecureRandom();

  Stores(Pool pool, Clock clock, GuessLimiter sources) {
    this.pool = pool;
    this.clock = clock;
    this.sources = sources;
  }

  /** Registers a store; answers its id and the API key, which is shown this once only. */
  Future<JsonObject> register(String name, String chain) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return pool.preparedQuery("INSERT INTO certificates.store (name, chain, key_digest, created_at)"
            + " VALUES ($1, $2, $3, $4) RETURNING id")
        .execute(Tuple.of(name, chain, io.vertx.core.buffer.Buffer.buffer(Codes.digest(secretText)),
            OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)))
        .map(rows -> {
          long id = rows.iterator().next().getLong(0);
          return new JsonObject().put("id", id).put("name", name).put("chain", chain)
              .put("apiKey", "sk_" + id + "_" + secretText);
        });
  }

  Future<List<JsonObject>> list() {
    return pool.query("SELECT id, name, chain, active, created_at FROM certificates.store ORDER BY id").execute()
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new JsonObject().put("id", r.getLong("id")).put("name", r.getString("name"))
                .put("chain", r.getString("chain")).put("active", r.getBoolean("active")));
          }
          return out;
        });
  }

  Future<Boolean> setActive(long id, boolean active) {
    return pool.preparedQuery("UPDATE certificates.store SET active = $2 WHERE id = $1")
        .execute(Tuple.of(id, active)).map(r -> r.rowCount() == 1);
  }

  @Override
  public Future<Caller> authenticate(HttpServerRequest request, String source) {
    String key = request.getHeader(HEADER);
    if (key == null) return Future.succeededFuture(null);
    String sourceKey = "store-auth:" + source;
    long wait = sources.retryAfterSeconds(sourceKey);
    if (wait > 0) return Future.failedFuture(new AuthenticationException(429, "too many failed attempts; try again later"));
    String[] parts = key.length() > KEY_LENGTH_MAX ? new String[0] : key.split("_", 3);
    long id;
    try {
      if (parts.length != 3 || !parts[0].equals("sk")) throw new NumberFormatException();
      id = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      sources.recordFailure(sourceKey);
      return Future.failedFuture(new AuthenticationException(401, "invalid store credentials"));
    }
    byte[] given = Codes.digest(parts[2]);
    return pool.preparedQuery("SELECT key_digest, active FROM certificates.store WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> {
          Row r = rows.size() == 1 ? rows.iterator().next() : null;
          boolean ok = r != null && MessageDigest.isEqual(r.getBuffer("key_digest").getBytes(), given) && r.getBoolean("active");
          if (!ok) {
            sources.recordFailure(sourceKey);
            return Future.failedFuture(new AuthenticationException(401, "invalid store credentials"));
          }
          return Future.succeededFuture(new Caller(Caller.Kind.STORE, Long.toString(id), Set.of(ROLE)));
        });
  }
}

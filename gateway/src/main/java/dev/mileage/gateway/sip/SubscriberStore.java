package dev.mileage.gateway.sip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code sip.subscriber} table: which member a SIP username belongs to and its digest HA1s (MD5 and
 * SHA-256). Looked-up subscribers are cached briefly; provisioning replaces the cached entry.
 */
public final class SubscriberStore {
  public static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final Pattern OWNER = Pattern.compile("[a-z]{1,16}:[A-Za-z0-9_.-]{1,64}");
  public static final int PASSWORD_LENGTH_MIN = 8;
  public static final int PASSWORD_LENGTH_MAX = 128;
  static final int CACHE_ENTRIES_MAX = 200_000;
  static final Duration CACHE_TTL = Duration.ofSeconds(30);

  /** A subscriber as authentication needs it; holds no password. */
  public record Subscriber(String username, String owner, String realm, String ha1Md5, String ha1Sha256) {
    public Subscriber {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(realm, "realm");
      Objects.requireNonNull(ha1Md5, "ha1Md5");
      Objects.requireNonNull(ha1Sha256, "ha1Sha256");
    }

    @Override
    public String toString() {
      return "Subscriber[" + username + ", " + owner + "]";
    }
  }

  /**
   * A short-lived credential for a member's web phone, issued to the signed-in web session (never the
   * member's password): held in memory only, under a username no operator can provision.
   */
  public record Temporary(String username, String password, String owner, Instant expiresAt) {
    public Temporary {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
      return "Temporary[" + username + ", " + owner + ", until " + expiresAt + "]";
    }
  }

  /** Usernames of temporary credentials start with this; provisioning refuses it. */
  public static final String TEMPORARY_PREFIX = "web-";
  /** Live temporary credentials at once (all members); past it issuing fails until some expire. */
  public static final int TEMPORARY_MAX = 50_000;

  private record Issued(Subscriber subscriber, Instant expiresAt) {
  }

  public enum ProvisionResult { CREATED, UPDATED, INVALID_USERNAME, INVALID_OWNER, INVALID_PASSWORD, USERNAME_TAKEN }

  private final Pool pool;
  private final String realm;
  private final Clock clock;
  private final Cache<String, Subscriber> cache = Caffeine.newBuilder().maximumSize(CACHE_ENTRIES_MAX)
      .expireAfterWrite(CACHE_TTL).build();
  private final ConcurrentHashMap<String, Issued> temporary = new ConcurrentHashMap<>();

  public SubscriberStore(Pool pool, String realm, Clock clock) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.realm = Objects.requireNonNull(realm, "realm");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Creates the subscriber, or changes its password when it already belongs to {@code owner}; a username
   * of another owner is never taken over. The password is hashed here and forgotten.
   */
  public Future<ProvisionResult> provision(String owner, String username, String password) {
    if (username == null || !USERNAME.matcher(username).matches() || username.startsWith(TEMPORARY_PREFIX)) {
      return Future.succeededFuture(ProvisionResult.INVALID_USERNAME);
    }
    if (owner == null || !OWNER.matcher(owner).matches()) return Future.succeededFuture(ProvisionResult.INVALID_OWNER);
    if (password == null || password.length() < PASSWORD_LENGTH_MIN || password.length() > PASSWORD_LENGTH_MAX) {
      return Future.succeededFuture(ProvisionResult.INVALID_PASSWORD);
    }
    String md5 = DigestAuth.ha1("MD5", username, realm, password);
    String sha = DigestAuth.ha1("SHA-256", username, realm, password);
    OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery("""
            INSERT INTO sip.subscriber (username, owner, realm, ha1_md5, ha1_sha256, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (username) DO UPDATE SET realm = $3, ha1_md5 = $4, ha1_sha256 = $5, updated_at = $6
              WHERE sip.subscriber.owner = $2
            RETURNING (xmax = 0) AS created""")
        .execute(Tuple.of(username, owner, realm, md5, sha, now))
        .map(rows -> {
          cache.invalidate(username);
          if (rows.rowCount() == 0) return ProvisionResult.USERNAME_TAKEN;
          return rows.iterator().next().getBoolean("created") ? ProvisionResult.CREATED : ProvisionResult.UPDATED;
        });
  }

  public Future<Boolean> remove(String username) {
    cache.invalidate(username);
    return pool.preparedQuery("DELETE FROM sip.subscriber WHERE username = $1").execute(Tuple.of(username))
        .map(rows -> rows.rowCount() > 0);
  }

  /** The subscriber of {@code username} in our realm; empty when unknown (or provisioned under another realm). */
  public Future<Optional<Subscriber>> lookup(String username) {
    if (username != null && username.startsWith(TEMPORARY_PREFIX)) return Future.succeededFuture(temporary(username));
    if (username == null || !USERNAME.matcher(username).matches()) return Future.succeededFuture(Optional.empty());
    Subscriber cached = cache.getIfPresent(username);
    if (cached != null) return Future.succeededFuture(Optional.of(cached));
    return pool.preparedQuery("SELECT username, owner, realm, ha1_md5, ha1_sha256 FROM sip.subscriber WHERE username = $1")
        .execute(Tuple.of(username))
        .map(rows -> {
          if (rows.rowCount() == 0) return Optional.<Subscriber>empty();
          Row r = rows.iterator().next();
          Subscriber s = new Subscriber(r.getString("username"), r.getString("owner"), r.getString("realm"),
              r.getString("ha1_md5"), r.getString("ha1_sha256"));
          if (!realm.equals(s.realm())) return Optional.<Subscriber>empty();
          cache.put(username, s);
          return Optional.of(s);
        });
  }

  /**
   * Issues a temporary credential for {@code owner}, valid for {@code lifetime}; empty when
   * {@link #TEMPORARY_MAX} live ones exist. The password is random and only its HA1s are kept.
   */
  public Optional<Temporary> issueTemporary(String owner, Duration lifetime, SecureRandom random) {
    if (owner == null || !OWNER.matcher(owner).matches()) throw new IllegalArgumentException("bad owner");
    if (lifetime.isNegative() || lifetime.isZero()) throw new IllegalArgumentException("lifetime must be positive");
    Instant now = clock.instant();
    if (temporary.size() >= TEMPORARY_MAX) temporary.values().removeIf(i -> !now.isBefore(i.expiresAt()));
    if (temporary.size() >= TEMPORARY_MAX) return Optional.empty();
    byte[] id = new byte[10];
    byte[] secret = new byte[24];
    random.nextBytes(id);
    random.nextBytes(secret);
    String username = TEMPORARY_PREFIX + HexFormat.of().formatHex(id);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Subscriber s = new Subscriber(username, owner, realm, DigestAuth.ha1("MD5", username, realm, password),
        DigestAuth.ha1("SHA-256", username, realm, password));
    Instant expiresAt = now.plus(lifetime);
    temporary.put(username, new Issued(s, expiresAt));
    return Optional.of(new Temporary(username, password, owner, expiresAt));
  }

  /** Live temporary credentials (expired ones count until looked up or swept). */
  public int temporaryCount() {
    return temporary.size();
  }

  private Optional<Subscriber> temporary(String username) {
    Issued i = temporary.get(username);
    if (i == null) return Optional.empty();
    if (!clock.instant().isBefore(i.expiresAt())) {
      temporary.remove(username, i);
      return Optional.empty();
    }
    return Optional.of(i.subscriber());
  }

  public Future<List<String>> usernamesOf(String owner) {
    return pool.preparedQuery("SELECT username FROM sip.subscriber WHERE owner = $1 ORDER BY username LIMIT 100")
        .execute(Tuple.of(owner))
        .map(rows -> {
          List<String> out = new java.util.ArrayList<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }
}

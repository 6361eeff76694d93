package dev.mileage.gateway.mall;

import dev.mileage.gateway.http.AuthenticationException;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Vendor applications, operator approval (which defines the vendor's token as a ledger point type), and the
 * vendor credential: {@code X-Vendor-Key: vk_<vendorId>_<secret>}, 256 random bits of which only a SHA-256 is
 * stored (a fast hash suffices for a key nobody chose), shown once at application. Wrong keys count against
 * the source address; past the limit it gets 429 until the window ends. A right key of a vendor that is not
 * approved authenticates with the {@link #ROLE_PENDING} role only, so handlers can say why they refuse.
 */
final class Vendors implements Authenticator {
  static final String HEADER = "X-Vendor-Key";
  static final String ROLE_APPROVED = "mall_vendor";
  static final String ROLE_PENDING = "mall_vendor_pending";
  static final int KEY_TEXT_LENGTH_MAX = 80;

  enum Applied { APPLIED, NAME_TAKEN, TOKEN_CODE_TAKEN, TOO_MANY_VENDORS, TOO_MANY_PENDING }

  record Application(Applied outcome, Vendor vendor, String apiKey) { }

  enum Approved { APPROVED, ALREADY_APPROVED, NOT_FOUND, TOKEN_CODE_TAKEN }

  private final Pool pool;
  private final Clock clock;
  private final MallLedger ledger;
  private final GuessLimiter sources;
  private final SecureRandom random = new SecureRandom();

  Vendors(Pool pool, Clock clock, MallLedger ledger, GuessLimiter sources) {
    this.pool = pool;
    this.clock = clock;
    this.ledger = ledger;
    this.sources = sources;
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  Future<Application> apply(String name, String kind, String tokenCode, long rateWon, List<String> allowedProducts,
                            String appliedBy) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return apply(name, kind, tokenCode, rateWon, allowedProducts, appliedBy,
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
  }

  /** With a given key secret: only the demo's published vendors use this. */
  Future<Application> apply(String name, String kind, String tokenCode, long rateWon, List<String> allowedProducts,
                            String appliedBy, String secretText) {
    return pool.preparedQuery("SELECT count(*), count(*) FILTER (WHERE applied_by = $1 AND status = 'PENDING') FROM mall.vendor")
        .execute(Tuple.of(appliedBy)).compose(count -> {
      Row c = count.iterator().next();
      if (c.getLong(0) >= MallOptions.VENDORS_MAX) return Future.succeededFuture(new Application(Applied.TOO_MANY_VENDORS, null, null));
      if (c.getLong(1) >= MallOptions.PENDING_APPLICATIONS_PER_APPLICANT_MAX) {
        return Future.succeededFuture(new Application(Applied.TOO_MANY_PENDING, null, null));
      }
      return pool.preparedQuery("INSERT INTO mall.vendor (name, kind, token_code, rate_won, allowed_products, status,"
              + " key_digest, applied_by, created_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8)"
              + " ON CONFLICT DO NOTHING RETURNING *")
          .execute(Tuple.of(name, kind, tokenCode, rateWon, allowedProducts.toArray(new String[0]),
              Buffer.buffer(digest(secretText)), appliedBy, now()))
          .compose(rows -> {
            if (rows.size() == 1) {
              Vendor v = Vendor.of(rows.iterator().next());
              return Future.succeededFuture(new Application(Applied.APPLIED, v, "vk_" + v.id() + "_" + secretText));
            }
            return pool.preparedQuery("SELECT count(*) FROM mall.vendor WHERE name = $1").execute(Tuple.of(name))
                .map(r -> new Application(r.iterator().next().getLong(0) > 0 ? Applied.NAME_TAKEN : Applied.TOKEN_CODE_TAKEN,
                    null, null));
          });
    });
  }

  /**
   * Approves a vendor: defines its token (kind VENDOR_TOKEN, issuer {@code vendor:<id>}, cash value = its rate;
   * a manufacturer's restricted to its listed products) and lists the acceptance of a manufacturer's tokens at
   * the vendors of those products. Idempotent: approving twice changes nothing.
   */
  Future<Approved> approve(long vendorId) {
    return find(vendorId).compose(v -> {
      if (v == null) return Future.succeededFuture(Approved.NOT_FOUND);
      if (v.approved()) return Future.succeededFuture(Approved.ALREADY_APPROVED);
      Set<String> allowed = v.manufacturer() ? new HashSet<>(v.allowedProducts()) : Set.of();
      return ledger.f(ledger.ledger().definePointType(v.pointTypeCode(), PointKind.VENDOR_TOKEN, MallLedger.vendor(v.id()),
          v.rateMicros(), allowed)).compose(type -> {
            if (!type.issuer().equals(MallLedger.vendor(v.id()))) return Future.succeededFuture(Approved.TOKEN_CODE_TAKEN);
            List<Tuple> accept = new ArrayList<>();
            for (String product : v.allowedProducts()) {
              accept.add(Tuple.of(Long.parseLong(product.substring(0, product.indexOf(':'))), v.id()));
            }
            Future<?> listed = accept.isEmpty() ? Future.succeededFuture()
                : pool.preparedQuery("INSERT INTO mall.acceptance (vendor_id, token_vendor_id) SELECT $1, $2"
                    + " WHERE EXISTS (SELECT 1 FROM mall.vendor WHERE id = $1) ON CONFLICT DO NOTHING").executeBatch(accept);
            return listed.compose(x -> pool.preparedQuery("UPDATE mall.vendor SET status = 'APPROVED', point_type = $2,"
                    + " approved_at = $3 WHERE id = $1 AND status = 'PENDING'")
                .execute(Tuple.of(v.id(), type.id(), now())).map(Approved.APPROVED));
          });
    });
  }

  Future<Vendor> find(long vendorId) {
    return pool.preparedQuery("SELECT * FROM mall.vendor WHERE id = $1").execute(Tuple.of(vendorId))
        .map(rows -> rows.size() == 1 ? Vendor.of(rows.iterator().next()) : null);
  }

  Future<List<Vendor>> all(boolean approvedOnly) {
    return pool.query("SELECT * FROM mall.vendor" + (approvedOnly ? " WHERE status = 'APPROVED'" : "")
        + " ORDER BY id LIMIT " + MallOptions.VENDORS_MAX).execute().map(rows -> {
          List<Vendor> out = new ArrayList<>();
          for (Row r : rows) out.add(Vendor.of(r));
          return out;
        });
  }

  /**
   * A new predetermined rate: the cash value of the vendor's tokens (its own and its extra ones) from now on
   * (earlier movements keep theirs).
   */
  Future<Vendor> setRate(Vendor v, long rateWon) {
    long micros = Math.multiplyExact(rateWon, 1_000_000L);
    return extraTokens(v.id()).compose(extra -> {
      List<Future<?>> set = new ArrayList<>();
      set.add(ledger.f(ledger.ledger().setCashValue(v.pointType(), micros)));
      for (Vendor t : extra) set.add(ledger.f(ledger.ledger().setCashValue(t.pointType(), micros)));
      return Future.all(set);
    }).compose(t -> pool.preparedQuery("UPDATE mall.vendor SET rate_won = $2 WHERE id = $1").execute(Tuple.of(v.id(), rateWon)))
        .compose(x -> find(v.id()));
  }

  // ---- token kinds -----------------------------------------------------------------------------------

  enum TokenAdded { ADDED, ALREADY_ADDED, NOT_FOUND, TOKEN_CODE_TAKEN }

  record AddedToken(TokenAdded outcome, Vendor token) { }

  /**
   * Gives an approved vendor an extra token of kind GIFT_CERTIFICATE or AUCTION, the way approval defines its
   * own: a ledger point type TOKEN_<code>_GIFT / TOKEN_<code>_AUCTION of kind VENDOR_TOKEN, issuer
   * {@code vendor:<id>}, cash value = the vendor's rate, unrestricted. Idempotent.
   */
  Future<AddedToken> addToken(long vendorId, String tokenKind) {
    return Future.all(find(vendorId), extraTokens(vendorId)).compose(all -> {
      Vendor v = all.resultAt(0);
      if (v == null || !v.approved()) return Future.succeededFuture(new AddedToken(TokenAdded.NOT_FOUND, null));
      List<Vendor> extra = all.resultAt(1);
      for (Vendor t : extra) {
        if (t.tokenKind().equals(tokenKind)) return Future.succeededFuture(new AddedToken(TokenAdded.ALREADY_ADDED, t));
      }
      String code = "TOKEN_" + v.tokenCode() + Vendor.codeSuffix(tokenKind);
      return ledger.f(ledger.ledger().definePointType(code, PointKind.VENDOR_TOKEN, MallLedger.vendor(v.id()), v.rateMicros(),
          Set.of())).compose(type -> {
            if (!type.issuer().equals(MallLedger.vendor(v.id()))) {
              return Future.succeededFuture(new AddedToken(TokenAdded.TOKEN_CODE_TAKEN, null));
            }
            return pool.preparedQuery("INSERT INTO mall.token (vendor_id, kind, point_type, created_at) VALUES ($1, $2, $3, $4)"
                    + " ON CONFLICT DO NOTHING").execute(Tuple.of(v.id(), tokenKind, type.id(), now()))
                .map(r -> new AddedToken(r.rowCount() == 1 ? TokenAdded.ADDED : TokenAdded.ALREADY_ADDED,
                    v.withToken(tokenKind, type.id())));
          });
    });
  }

  /** The vendor's extra tokens (GIFT_CERTIFICATE, AUCTION), each as the vendor seen through it. */
  Future<List<Vendor>> extraTokens(long vendorId) {
    return pool.preparedQuery("SELECT v.*, t.kind AS token_kind, t.point_type AS token_point_type FROM mall.token t"
        + " JOIN mall.vendor v ON v.id = t.vendor_id WHERE t.vendor_id = $1 ORDER BY t.kind").execute(Tuple.of(vendorId))
        .map(Vendors::tokenViews);
  }

  /** Every approved vendor's extra tokens. */
  Future<List<Vendor>> extraTokens() {
    return pool.query("SELECT v.*, t.kind AS token_kind, t.point_type AS token_point_type FROM mall.token t"
        + " JOIN mall.vendor v ON v.id = t.vendor_id WHERE v.status = 'APPROVED' ORDER BY t.vendor_id, t.kind").execute()
        .map(Vendors::tokenViews);
  }

  private static List<Vendor> tokenViews(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Vendor> out = new ArrayList<>();
    for (Row r : rows) out.add(Vendor.of(r).withToken(r.getString("token_kind"), r.getInteger("token_point_type")));
    return out;
  }

  /**
   * The vendor seen through its token of {@code tokenKind}: null or its own kind gives {@code v} itself; an
   * extra kind its extra token, or null when the vendor has none of that kind.
   */
  Future<Vendor> token(Vendor v, String tokenKind) {
    if (tokenKind == null || tokenKind.equals(v.tokenKind())) return Future.succeededFuture(v);
    if (!Vendor.EXTRA_TOKEN_KINDS.contains(tokenKind)) return Future.succeededFuture(null);
    return extraTokens(v.id()).map(list -> list.stream().filter(t -> t.tokenKind().equals(tokenKind)).findFirst().orElse(null));
  }

  /** The current rate of every approved vendor's token, from the ledger (the source of truth). */
  Future<java.util.Map<Integer, PointType>> tokenTypes() {
    return ledger.f(ledger.ledger().pointTypes()).map(types -> {
      java.util.Map<Integer, PointType> out = new java.util.HashMap<>();
      for (PointType t : types) out.put(t.id(), t);
      return out;
    });
  }

  // ---- catalog and acceptance ------------------------------------------------------------------------

  Future<Boolean> putProduct(long vendorId, String sku, String name, String description, long priceTokens) {
    return pool.preparedQuery("SELECT count(*) FROM mall.product WHERE vendor_id = $1").execute(Tuple.of(vendorId))
        .compose(c -> {
          if (c.iterator().next().getLong(0) >= MallOptions.PRODUCTS_PER_VENDOR_MAX) return Future.succeededFuture(false);
          return pool.preparedQuery("INSERT INTO mall.product (vendor_id, sku, name, description, price_tokens)"
                  + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (vendor_id, sku) DO UPDATE SET name = $3, description = $4,"
                  + " price_tokens = $5, active = TRUE")
              .execute(Tuple.of(vendorId, sku, name, description, priceTokens)).map(true);
        });
  }

  Future<List<JsonObject>> products(long vendorId) {
    return pool.preparedQuery("SELECT sku, name, description, price_tokens FROM mall.product WHERE vendor_id = $1"
            + " AND active ORDER BY sku").execute(Tuple.of(vendorId)).map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new JsonObject().put("sku", r.getString("sku")).put("name", r.getString("name"))
                .put("description", r.getString("description")).put("priceTokens", r.getLong("price_tokens")));
          }
          return out;
        });
  }

  Future<JsonObject> product(long vendorId, String sku) {
    return pool.preparedQuery("SELECT sku, name, price_tokens FROM mall.product WHERE vendor_id = $1 AND sku = $2 AND active")
        .execute(Tuple.of(vendorId, sku)).map(rows -> {
          if (rows.size() == 0) return null;
          Row r = rows.iterator().next();
          return new JsonObject().put("sku", r.getString("sku")).put("name", r.getString("name"))
              .put("priceTokens", r.getLong("price_tokens"));
        });
  }

  Future<Void> setAccepted(long vendorId, long tokenVendorId, boolean accept) {
    return (accept
        ? pool.preparedQuery("INSERT INTO mall.acceptance (vendor_id, token_vendor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        : pool.preparedQuery("DELETE FROM mall.acceptance WHERE vendor_id = $1 AND token_vendor_id = $2"))
        .execute(Tuple.of(vendorId, tokenVendorId)).mapEmpty();
  }

  /** Whose tokens a vendor takes: its own always, others' by the listing. */
  Future<Boolean> accepts(long vendorId, long tokenVendorId) {
    if (vendorId == tokenVendorId) return Future.succeededFuture(true);
    return pool.preparedQuery("SELECT 1 FROM mall.acceptance WHERE vendor_id = $1 AND token_vendor_id = $2")
        .execute(Tuple.of(vendorId, tokenVendorId)).map(rows -> rows.size() == 1);
  }

  /** vendor id -> the vendors whose tokens it accepts besides its own. */
  Future<java.util.Map<Long, List<Long>>> acceptances() {
    return pool.query("SELECT vendor_id, token_vendor_id FROM mall.acceptance ORDER BY vendor_id, token_vendor_id").execute()
        .map(rows -> {
          java.util.Map<Long, List<Long>> out = new java.util.HashMap<>();
          for (Row r : rows) out.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(r.getLong(1));
          return out;
        });
  }

  // ---- registrations (the mall is notified) ---------------------------------------------------------

  /** Registers a user with a vendor and notifies the mall; answers whether this call registered them. */
  Future<Boolean> register(long vendorId, long memberId) {
    return pool.withTransaction(c -> c.preparedQuery("INSERT INTO mall.registration (vendor_id, member_id, registered_at)"
            + " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING").execute(Tuple.of(vendorId, memberId, now()))
        .compose(r -> r.rowCount() == 0 ? Future.succeededFuture(false)
            : c.preparedQuery("INSERT INTO mall.notification (kind, vendor_id, member_id, at) VALUES ('REGISTRATION', $1, $2, $3)")
                .execute(Tuple.of(vendorId, memberId, now())).map(true)));
  }

  Future<OffsetDateTime> registeredAt(long vendorId, long memberId) {
    return pool.preparedQuery("SELECT registered_at FROM mall.registration WHERE vendor_id = $1 AND member_id = $2")
        .execute(Tuple.of(vendorId, memberId))
        .map(rows -> rows.size() == 1 ? rows.iterator().next().getOffsetDateTime(0) : null);
  }

  // ---- the credential ---------------------------------------------------------------------------------

  @Override
  public Future<Caller> authenticate(HttpServerRequest request, String client) {
    String key = request.getHeader(HEADER);
    if (key == null) return Future.succeededFuture(null);
    String source = "vendor-key:" + client;
    long wait = sources.retryAfterSeconds(source);
    if (wait > 0) return Future.failedFuture(new AuthenticationException(429, "too many failed attempts; try again later"));
    String[] parts = key.length() > KEY_TEXT_LENGTH_MAX ? new String[0] : key.split("_", 3);
    long id;
    try {
      if (parts.length != 3 || !parts[0].equals("vk")) throw new NumberFormatException();
      id = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      sources.recordFailure(source);
      return Future.failedFuture(new AuthenticationException(401, "invalid vendor credentials"));
    }
    byte[] given = digest(parts[2]);
    return pool.preparedQuery("SELECT key_digest, status FROM mall.vendor WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> {
          Row r = rows.size() == 1 ? rows.iterator().next() : null;
          if (r == null || !MessageDigest.isEqual(r.getBuffer("key_digest").getBytes(), given)) {
            sources.recordFailure(source);
            return Future.failedFuture(new AuthenticationException(401, "invalid vendor credentials"));
          }
          String role = Vendor.APPROVED.equals(r.getString("status")) ? ROLE_APPROVED : ROLE_PENDING;
          return Future.succeededFuture(new Caller(Caller.Kind.VENDOR, Long.toString(id), Set.of(role)));
        });
  }
}

package dev.mileage.gateway.mall;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Demo data of the mall, seeded when the gateway runs in demo mode (never with {@code --production}): two
 * approved vendors that accept each other's tokens, with catalogs, tokens bought from the mall, the demo
 * member registered with both and holding some of each, and an open auction; Seoul Books also has gift
 * certificates and Han River Coffee auction tokens with an auction paid in them. The vendors' keys are the
 * published {@code vk_<id>_demo-books-vendor-2026} and {@code vk_<id>_demo-coffee-vendor-2026}, a demo
 * convenience like the demo operator's password. Idempotent: every step is keyed, restarts change nothing.
 */
final class MallDemo extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(MallDemo.class.getName());
  static final String DEMO_MEMBER_LOGIN = "demo";

  private record Shop(String name, String code, long rateWon, String secret, List<String[]> products) { }

  private static final List<Shop> SHOPS = List.of(
      new Shop("Seoul Books", "BOOKS", 10, "demo-books-vendor-2026", List.of(new String[] {"HANGUL-30", "Learn Hangul in 30 days", "1680"},
          new String[] {"POEMS-KIM", "Azaleas: poems by Kim Sowol", "1200"}, new String[] {"MAP-SEOUL", "Illustrated map of Seoul", "450"})),
      new Shop("Han River Coffee", "COFFEE", 20, "demo-coffee-vendor-2026", List.of(new String[] {"AMERICANO", "Americano", "225"},
          new String[] {"JEJU-BEANS", "Jeju single-origin beans 500 g", "1225"}, new String[] {"CITRON-TEA", "Yuja citron tea", "250"})));

  private final Pool pool;
  private final Vendors vendors;
  private final Issuance issuance;
  private final Auctions auctions;

  MallDemo(Pool pool, Vendors vendors, Issuance issuance, Auctions auctions) {
    this.pool = pool;
    this.vendors = vendors;
    this.issuance = issuance;
    this.auctions = auctions;
  }

  @Override
  public Future<?> start() {
    Future<Vendor> books = shop(SHOPS.get(0));
    return books.compose(b -> shop(SHOPS.get(1)).compose(c -> vendors.setAccepted(b.id(), c.id(), true)
            .compose(x -> vendors.setAccepted(c.id(), b.id(), true))
            .compose(x -> issuance.issue(b, 20_000, "demo-seed", SandboxPaymentProvider.TOKEN_OK))
            .compose(x -> issuance.issue(c, 10_000, "demo-seed", SandboxPaymentProvider.TOKEN_OK))
            .compose(x -> demoMember())
            .compose(member -> {
              if (member == null) return Future.succeededFuture();
              return vendors.register(b.id(), member).compose(x -> vendors.register(c.id(), member))
                  .compose(x -> issuance.allot(b, member, 3_000, "LOYALTY", "demo-seed-allot"))
                  .compose(x -> issuance.allot(c, member, 600, "LOYALTY", "demo-seed-allot"));
            })
            .compose(x -> auctions.open(b, "Signed first edition of Azaleas", 800, Duration.ofDays(7), "demo-seed-auction"))
            .compose(x -> extraTokens(b, c))))
        .onSuccess(x -> LOG.info("mall demo data in place"));
  }

  /**
   * The token kinds an operator adds to an approved vendor: Seoul Books' gift certificates and Han River
   * Coffee's auction tokens, each issued to its vendor and some given to the demo member, and an open auction
   * paid in the auction tokens. Keyed like the rest, so a restart adds nothing.
   */
  private Future<?> extraTokens(Vendor books, Vendor coffee) {
    return token(books, Vendor.GIFT_CERTIFICATE).compose(gift -> token(coffee, Vendor.AUCTION).compose(auction ->
        issuance.issue(gift, 5_000, "demo-seed-gift", SandboxPaymentProvider.TOKEN_OK)
            .compose(x -> issuance.issue(auction, 5_000, "demo-seed-auction-tokens", SandboxPaymentProvider.TOKEN_OK))
            .compose(x -> demoMember())
            .compose(member -> member == null ? Future.succeededFuture()
                : issuance.allot(gift, member, 500, "LOYALTY", "demo-seed-gift-allot")
                    .compose(x -> issuance.allot(auction, member, 1_000, "LOYALTY", "demo-seed-auction-allot")))
            .compose(x -> auctions.open(auction, "Barista class for two at Han River Coffee", 300, Duration.ofDays(7),
                "demo-seed-auction-tokens"))));
  }

  /** The vendor seen through its extra token of {@code kind}, added if it has none yet. */
  private Future<Vendor> token(Vendor v, String kind) {
    return vendors.addToken(v.id(), kind).compose(added -> added.token() != null ? Future.succeededFuture(added.token())
        : Future.failedFuture(new IllegalStateException("demo " + kind + " token of " + v.name() + ": " + added.outcome())));
  }

  private Future<Long> demoMember() {
    return pool.preparedQuery("SELECT id FROM members.member WHERE login_id = $1").execute(Tuple.of(DEMO_MEMBER_LOGIN))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  private Future<Vendor> shop(Shop s) {
    return pool.preparedQuery("SELECT id FROM mall.vendor WHERE name = $1").execute(Tuple.of(s.name())).compose(rows -> {
      Future<Long> id = rows.size() == 1 ? Future.succeededFuture(rows.iterator().next().getLong(0))
          : vendors.apply(s.name(), Vendor.SHOP, s.code(), s.rateWon(), List.of(), "operator", s.secret())
              .map(a -> a.vendor().id());
      return id.compose(v -> vendors.approve(v).compose(x -> {
        Future<Boolean> all = Future.succeededFuture(true);
        for (String[] p : s.products()) {
          all = all.compose(y -> vendors.putProduct(v, p[0], p[1], "", Long.parseLong(p[2])));
        }
        return all.compose(y -> vendors.find(v));
      }));
    });
  }
}

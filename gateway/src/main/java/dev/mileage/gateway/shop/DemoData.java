package dev.mileage.gateway.shop;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.TransferCodes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Demo data, seeded at start when the gateway runs with {@code demo}: a shop of real-looking products with
 * drawn pictures and a verified demo member holding mileage. Idempotent: restarts change nothing.
 */
public final class DemoData {
  public static final String DEMO_LOGIN = "demo";
  public static final String DEMO_PASSWORD = "demo-mileage-2026";
  public static final String DEMO_PHONE = "+821055500001";
  public static final long DEMO_MILEAGE = 50_000;

  private record Item(String sku, String name, String kind, String shape, String colour, String accent, long priceWon,
                      String supplier, MileageRule mileage, int stock, List<String> sizes, List<String> colours, String features) { }

  private static final MileageRule TWO_PERCENT = new MileageRule(MileageRule.Mode.PERCENT, 200);
  private static final List<Item> ITEMS = List.of(
      new Item("TS-ORGANIC-01", "Organic cotton T-shirt", "apparel", "tshirt", "#2563eb", "#f59e0b", 19_900, "Seoul Threads",
          TWO_PERCENT, 120, List.of("S", "M", "L", "XL"), List.of("Blue", "White", "Black"), "100% organic cotton, 180 g/m², relaxed fit."),
      new Item("SN-RUNNER-02", "Cloudstep running shoes", "shoes", "shoe", "#dc2626", "#111827", 89_000, "Han River Sports",
          new MileageRule(MileageRule.Mode.FIXED, 3_000), 40, List.of("250", "260", "270", "280"), List.of("Red", "Grey"), "Breathable mesh, 8 mm drop, recycled sole."),
      new Item("HP-QUIET-03", "QuietWave noise-cancelling headphones", "electronics", "headphones", "#111827", "#6366f1", 159_000,
          "Sori Audio", new MileageRule(MileageRule.Mode.PERCENT, 500), 25, List.of(), List.of("Black", "Silver"), "Active noise cancelling, 30 h battery, USB-C."),
      new Item("CF-JEJU-04", "Jeju single-origin coffee beans 500 g", "food", "coffee", "#78350f", "#fde68a", 24_500, "Island Roasters",
          new MileageRule(MileageRule.Mode.FIXED, 500), 200, List.of(), List.of(), "Medium roast, notes of tangerine and cocoa. Roasted weekly."),
      new Item("BG-CITY-05", "City commuter backpack 22 L", "bags", "bag", "#0f766e", "#99f6e4", 64_000, "Namsan Goods",
          TWO_PERCENT, 60, List.of(), List.of("Teal", "Charcoal"), "Water-resistant, padded 16\" laptop sleeve, hidden pocket."),
      new Item("WT-PULSE-06", "Pulse smartwatch", "electronics", "watch", "#1e3a8a", "#94a3b8", 219_000, "Sori Audio",
          new MileageRule(MileageRule.Mode.PERCENT, 300), 15, List.of("40 mm", "44 mm"), List.of(), "Heart rate, GPS, 7-day battery, eSIM calls."),
      new Item("MG-CELADON-07", "Celadon ceramic mug", "home", "mug", "#65a30d", "#a3a3a3", 14_000, "Icheon Kilns",
          new MileageRule(MileageRule.Mode.FIXED, 300), 150, List.of(), List.of(), "Hand-glazed celadon, 350 ml, dishwasher safe."),
      new Item("BK-HANGUL-08", "Learn Hangul in 30 days", "books", "book", "#7c3aed", "#fbbf24", 16_800, "Sejong Press",
          TWO_PERCENT, 80, List.of(), List.of(), "Illustrated workbook with audio via QR codes."),
      new Item("PB-VOLT-09", "Volt 10,000 mAh power bank", "electronics", "power", "#334155", "#facc15", 29_000, "Han Power",
          new MileageRule(MileageRule.Mode.FIXED, 800), 90, List.of(), List.of("Graphite", "White"), "20 W USB-C PD, charges a phone 2.5 times."),
      new Item("UM-MONSOON-10", "Monsoon auto umbrella", "home", "umbrella", "#be185d", "#1f2937", 22_000, "Namsan Goods",
          TWO_PERCENT, 70, List.of(), List.of("Berry", "Navy"), "Windproof double canopy, one-touch open and close."));

  private DemoData() {
  }

  /** Products, then the demo member with mileage. */
  public static Future<Void> seed(GatewayContext ctx, Catalog catalog) {
    List<Future<Product>> products = new ArrayList<>();
    for (Item i : ITEMS) {
      Product p = new Product(0, i.sku(), i.name(), i.kind(), i.features(), i.sizes(), i.colours(), i.priceWon(),
          i.supplier(), i.mileage(), i.stock(), true);
      products.add(catalog.upsert(p, ProductArt.draw(i.shape(), i.colour(), i.accent(), i.name())));
    }
    return Future.all(products).compose(v -> seedMember(ctx)).mapEmpty();
  }

  private static Future<Void> seedMember(GatewayContext ctx) {
    LedgerAccess accounts = new LedgerAccess(ctx.ledger(), ctx.vertx());
    OffsetDateTime now = OffsetDateTime.ofInstant(ctx.clock().instant(), ZoneOffset.UTC);
    return Web.blocking(ctx.vertx(), () -> PasswordHasher.OWASP.hash(DEMO_PASSWORD))
        .compose(hash -> ctx.pool().preparedQuery("INSERT INTO members.member (login_id, password_hash, name, phone, address,"
                + " occupation, phone_verified_at, created_at) VALUES ($1, $2, 'Demo Shopper', $3, '1 Demo-ro, Jung-gu, Seoul',"
                + " 'tester', $4, $4) ON CONFLICT (login_id) DO NOTHING")
            .execute(Tuple.of(DEMO_LOGIN, hash, DEMO_PHONE, now)))
        .compose(v -> ctx.pool().preparedQuery("SELECT id FROM members.member WHERE login_id = $1").execute(Tuple.of(DEMO_LOGIN)))
        .compose(rows -> accounts.credit(rows.iterator().next().getLong(0), StandardPointTypes.MILEAGE, DEMO_MILEAGE,
            "demo:member:welcome-mileage", TransferCodes.OPERATOR_ADJUSTMENT, "demo welcome mileage"))
        .mapEmpty();
  }

  /** Seeds when deployed: the application deploys the feature's verticles after migrating its schemas. */
  static final class Seeder extends VerticleBase {
    private final GatewayContext ctx;
    private final Catalog catalog;

    Seeder(GatewayContext ctx, Catalog catalog) {
      this.ctx = ctx;
      this.catalog = catalog;
    }

    @Override
    public Future<?> start() {
      return seed(ctx, catalog);
    }
  }
}

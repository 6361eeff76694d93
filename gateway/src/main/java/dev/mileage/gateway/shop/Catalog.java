package dev.mileage.gateway.shop;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The product table: browsing for everyone, changes for operators and shop managers. */
public final class Catalog {
  public static final int PAGE_MAX = 60;
  public static final int IMAGE_BYTES_MAX = 64 * 1024;
  static final String COLUMNS = "id, sku, name, kind, features, sizes, colours, price_won, supplier, mileage_mode,"
      + " mileage_value, stock, active";

  private final Pool pool;
  private final Clock clock;

  public Catalog(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  static Product product(Row r) {
    return new Product(r.getLong("id"), r.getString("sku"), r.getString("name"), r.getString("kind"),
        r.getString("features"), Arrays.asList(r.getArrayOfStrings("sizes")), Arrays.asList(r.getArrayOfStrings("colours")),
        r.getLong("price_won"), r.getString("supplier"),
        new MileageRule(MileageRule.Mode.valueOf(r.getString("mileage_mode")), r.getLong("mileage_value")),
        r.getInteger("stock"), r.getBoolean("active"));
  }

  /** Active products, optionally of one kind and matching a search text in name, features or supplier. */
  public Future<List<Product>> browse(String kind, String search) {
    String pattern = search == null || search.isBlank() ? null
        : "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM shop.product WHERE active AND ($1::text IS NULL OR kind = $1)"
            + " AND ($2::text IS NULL OR name ILIKE $2 OR features ILIKE $2 OR supplier ILIKE $2) ORDER BY kind, name LIMIT $3")
        .execute(Tuple.of(kind, pattern, PAGE_MAX)).map(Catalog::all);
  }

  public Future<List<Product>> everything() {
    return pool.query("SELECT " + COLUMNS + " FROM shop.product ORDER BY id").execute().map(Catalog::all);
  }

  public Future<List<String>> kinds() {
    return pool.query("SELECT DISTINCT kind FROM shop.product WHERE active ORDER BY kind").execute()
        .map(rows -> { List<String> k = new ArrayList<>(); rows.forEach(r -> k.add(r.getString(0))); return k; });
  }

  public Future<Optional<Product>> get(long id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM shop.product WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(product(rows.iterator().next())));
  }

  public Future<Optional<String>> image(long id) {
    return pool.preparedQuery("SELECT image_svg FROM shop.product WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.ofNullable(rows.iterator().next().getString(0)));
  }

  /** Creates the product, or (same SKU) updates it: seeding and imports can be re-run. */
  public Future<Product> upsert(Product p, String imageSvg) {
    checkImage(imageSvg);
    return pool.preparedQuery("INSERT INTO shop.product (sku, name, kind, features, sizes, colours, image_svg, price_won,"
            + " supplier, mileage_mode, mileage_value, stock, active, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
            + " ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, features = EXCLUDED.features,"
            + " sizes = EXCLUDED.sizes, colours = EXCLUDED.colours, image_svg = COALESCE(EXCLUDED.image_svg, shop.product.image_svg),"
            + " price_won = EXCLUDED.price_won, supplier = EXCLUDED.supplier, mileage_mode = EXCLUDED.mileage_mode,"
            + " mileage_value = EXCLUDED.mileage_value, stock = EXCLUDED.stock, active = EXCLUDED.active RETURNING " + COLUMNS)
        .execute(Tuple.from(new Object[] {p.sku(), p.name(), p.kind(), p.features(), p.sizes().toArray(String[]::new),
            p.colours().toArray(String[]::new), imageSvg, p.priceWon(), p.supplier(), p.mileage().mode().name(),
            p.mileage().value(), p.stock(), p.active(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)}))
        .map(rows -> product(rows.iterator().next()));
  }

  /** Updates product {@code id}; empty if there is none. */
  public Future<Optional<Product>> update(long id, Product p, String imageSvg) {
    checkImage(imageSvg);
    return pool.preparedQuery("UPDATE shop.product SET sku = $2, name = $3, kind = $4, features = $5, sizes = $6,"
            + " colours = $7, image_svg = COALESCE($8, image_svg), price_won = $9, supplier = $10, mileage_mode = $11,"
            + " mileage_value = $12, stock = $13, active = $14 WHERE id = $1 RETURNING " + COLUMNS)
        .execute(Tuple.from(new Object[] {id, p.sku(), p.name(), p.kind(), p.features(), p.sizes().toArray(String[]::new),
            p.colours().toArray(String[]::new), imageSvg, p.priceWon(), p.supplier(), p.mileage().mode().name(),
            p.mileage().value(), p.stock(), p.active()}))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(product(rows.iterator().next())));
  }

  private static void checkImage(String svg) {
    if (svg == null) return;
    if (svg.length() > IMAGE_BYTES_MAX || !svg.stripLeading().startsWith("<svg")) {
      throw new IllegalArgumentException("image must be an SVG document of at most " + IMAGE_BYTES_MAX + " bytes");
    }
  }

  private static List<Product> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Product> out = new ArrayList<>();
    rows.forEach(r -> out.add(product(r)));
    return out;
  }
}

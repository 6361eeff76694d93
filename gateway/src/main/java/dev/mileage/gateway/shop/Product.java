package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.Web;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Objects;

/** A catalog entry. Variants are the sizes times the colours; a product with neither has one variant, "". */
public record Product(long id, String sku, String name, String kind, String features, List<String> sizes,
                      List<String> colours, long priceWon, String supplier, MileageRule mileage, int stock,
                      boolean active) {
  public static final int TEXT_LENGTH_MAX = 2000;
  public static final int VARIANTS_MAX = 20;
  public static final long PRICE_WON_MAX = 100_000_000;
  public static final int STOCK_MAX = 1_000_000;

  public Product {
    Objects.requireNonNull(sku, "sku");
    if (!sku.matches("[A-Z0-9][A-Z0-9-]{1,31}")) throw new IllegalArgumentException("sku must be 2..32 of A-Z, 0-9, -");
    if (name == null || name.isBlank() || name.length() > 120) throw new IllegalArgumentException("name is required (at most 120)");
    if (kind == null || !kind.matches("[a-z][a-z-]{1,30}")) throw new IllegalArgumentException("kind must be a lower-case word");
    features = features == null ? "" : features;
    if (features.length() > TEXT_LENGTH_MAX) throw new IllegalArgumentException("features text too long");
    sizes = List.copyOf(sizes == null ? List.of() : sizes);
    colours = List.copyOf(colours == null ? List.of() : colours);
    if (sizes.size() > VARIANTS_MAX || colours.size() > VARIANTS_MAX) throw new IllegalArgumentException("too many variants");
    if (priceWon <= 0 || priceWon > PRICE_WON_MAX) throw new IllegalArgumentException("price must be 1.." + PRICE_WON_MAX);
    if (supplier == null || supplier.isBlank() || supplier.length() > 120) throw new IllegalArgumentException("supplier is required");
    Objects.requireNonNull(mileage, "mileage");
    if (stock < 0 || stock > STOCK_MAX) throw new IllegalArgumentException("stock must be 0.." + STOCK_MAX);
  }

  /** Whether {@code variant} ("size / colour", "size", "colour" or "") names one of this product's variants. */
  public boolean hasVariant(String variant) {
    String v = variant == null ? "" : variant;
    if (sizes.isEmpty() && colours.isEmpty()) return v.isEmpty();
    if (sizes.isEmpty()) return colours.contains(v);
    if (colours.isEmpty()) return sizes.contains(v);
    String[] parts = v.split(" / ", 2);
    return parts.length == 2 && sizes.contains(parts[0]) && colours.contains(parts[1]);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("sku", sku).put("name", name).put("kind", kind)
        .put("features", features).put("sizes", new JsonArray(sizes)).put("colours", new JsonArray(colours))
        .put("priceWon", priceWon).put("supplier", supplier)
        .put("mileage", new JsonObject().put("mode", mileage.mode().name()).put("value", mileage.value())
            .put("perUnit", mileage.forLine(priceWon, 1)))
        .put("stock", stock).put("active", active).put("image", "/catalog/products/" + id + "/image.svg");
  }

  /** From an operator's request; {@code id} 0 for a new product. */
  public static Product fromJson(long id, JsonObject b) {
    JsonObject m = b.getJsonObject("mileage", new JsonObject().put("mode", "FIXED").put("value", 0));
    MileageRule rule = new MileageRule(MileageRule.Mode.valueOf(Web.requireText(m, "mode", 10)),
        Web.requireLong(m, "value", 0, PRICE_WON_MAX));
    return new Product(id, Web.requireText(b, "sku", 32), Web.requireText(b, "name", 120),
        Web.requireText(b, "kind", 31), Web.optionalText(b, "features", TEXT_LENGTH_MAX),
        strings(b.getJsonArray("sizes")), strings(b.getJsonArray("colours")),
        Web.requireLong(b, "priceWon", 1, PRICE_WON_MAX), Web.requireText(b, "supplier", 120), rule,
        (int) Web.requireLong(b, "stock", 0, STOCK_MAX), b.getBoolean("active", true));
  }

  private static List<String> strings(JsonArray a) {
    if (a == null) return List.of();
    if (a.size() > VARIANTS_MAX) throw new IllegalArgumentException("too many variants");
    return a.stream().map(o -> {
      if (!(o instanceof String s) || s.isBlank() || s.length() > 30 || s.contains("/")) {
        throw new IllegalArgumentException("variants are short texts without '/'");
      }
      return s.strip();
    }).toList();
  }
}

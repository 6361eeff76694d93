package dev.mileage.gateway.certificates;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What can be bought (by category, issuer and face value) and the extras a gift can carry. */
final class Catalog {
  static final Set<String> CATEGORIES = Set.of("DEPARTMENT_STORE", "BOOKS", "CULTURE", "GENERAL", "TICKETS");
  static final int ISSUER_LENGTH_MAX = 80;
  static final int DESCRIPTION_LENGTH_MAX = 300;
  static final long FACE_VALUE_WON_MAX = 1_000_000;

  record Item(long id, String category, String issuer, long faceValueWon, String description, boolean active) {
    JsonObject toJson() {
      return new JsonObject().put("id", id).put("category", category).put("issuer", issuer)
          .put("faceValueWon", faceValueWon).put("description", description).put("active", active);
    }

    static Item of(Row r) {
      return new Item(r.getLong("id"), r.getString("category"), r.getString("issuer"), r.getLong("face_value_won"),
          r.getString("description"), r.getBoolean("active"));
    }
  }

  private final Pool pool;

  Catalog(Pool pool) {
    this.pool = pool;
  }

  Future<List<Item>> items(boolean activeOnly) {
    return pool.query("SELECT * FROM certificates.item" + (activeOnly ? " WHERE active" : "")
        + " ORDER BY category, issuer, face_value_won").execute().map(rows -> {
          List<Item> out = new ArrayList<>();
          for (Row r : rows) out.add(Item.of(r));
          return out;
        });
  }

  Future<Item> item(long id) {
    return pool.preparedQuery("SELECT * FROM certificates.item WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : Item.of(rows.iterator().next()));
  }

  /** Adds an item; null when the same category, issuer and face value exist already. */
  Future<Item> add(String category, String issuer, long faceValueWon, String description) {
    check(category, issuer, faceValueWon, description);
    return pool.preparedQuery("INSERT INTO certificates.item (category, issuer, face_value_won, description)"
            + " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING *")
        .execute(Tuple.of(category, issuer, faceValueWon, description))
        .map(rows -> rows.size() == 0 ? null : Item.of(rows.iterator().next()));
  }

  /** Withdraws or re-offers an item; certificates already issued keep their value. */
  Future<Item> setActive(long id, boolean active) {
    return pool.preparedQuery("UPDATE certificates.item SET active = $2 WHERE id = $1 RETURNING *")
        .execute(Tuple.of(id, active)).map(rows -> rows.size() == 0 ? null : Item.of(rows.iterator().next()));
  }

  Future<List<JsonObject>> contents() {
    return pool.query("SELECT id, kind, name FROM certificates.content ORDER BY kind, id").execute().map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      for (Row r : rows) out.add(new JsonObject().put("id", r.getLong("id")).put("kind", r.getString("kind")).put("name", r.getString("name")));
      return out;
    });
  }

  static void check(String category, String issuer, long faceValueWon, String description) {
    if (!CATEGORIES.contains(category)) throw new IllegalArgumentException("category must be one of " + CATEGORIES);
    if (issuer == null || issuer.isBlank() || issuer.length() > ISSUER_LENGTH_MAX) {
      throw new IllegalArgumentException("issuer is required (at most " + ISSUER_LENGTH_MAX + " characters)");
    }
    if (faceValueWon <= 0 || faceValueWon > FACE_VALUE_WON_MAX) {
      throw new IllegalArgumentException("faceValueWon must be in 1.." + FACE_VALUE_WON_MAX);
    }
    if (description != null && description.length() > DESCRIPTION_LENGTH_MAX) throw new IllegalArgumentException("description is too long");
  }
}

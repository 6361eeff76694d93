package dev.mileage.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code gateway.operators} table: staff who use the operator API, with Argon2id hashes and roles. */
public final class OperatorStore {
  public static final Set<String> ROLES_ALL = Set.of(Access.ROLE_OPERATOR, Access.ROLE_SHOP_MANAGER,
      Access.ROLE_VENDOR, Access.ROLE_CASHIER);

  public record Operator(String username, String passwordHash, Set<String> roles) {
  }

  private final Pool pool;
  private final Vertx vertx;

  public OperatorStore(Pool pool, Vertx vertx) {
    this.pool = pool;
    this.vertx = vertx;
  }

  public Future<Optional<Operator>> find(String username) {
    return pool.preparedQuery("SELECT username, password_hash, roles FROM gateway.operators WHERE username = $1")
        .execute(Tuple.of(username))
        .map(rows -> {
          if (rows.size() == 0) return Optional.<Operator>empty();
          Row row = rows.iterator().next();
          return Optional.of(new Operator(row.getString(0), row.getString(1),
              Set.copyOf(Arrays.asList(row.getArrayOfStrings(2)))));
        });
  }

  /**
   * Creates the operator, or updates password and roles when they differ from the settings: the
   * bootstrap operator's credentials are whatever the configuration says.
   */
  public Future<Void> ensureOperator(String username, String password, Set<String> roles) {
    for (String role : roles) {
      if (!ROLES_ALL.contains(role)) throw new IllegalArgumentException("unknown role: " + role);
    }
    String[] roleArray = roles.stream().sorted().toArray(String[]::new);
    return find(username).compose(existing -> {
      if (existing.isPresent() && existing.get().roles().equals(roles)) {
        return vertx.executeBlocking(() -> PasswordHasher.verify(password, existing.get().passwordHash()), false)
            .compose(same -> same ? Future.succeededFuture() : store(username, password, roleArray));
      }
      return store(username, password, roleArray);
    });
  }

  private Future<Void> store(String username, String password, String[] roles) {
    return vertx.executeBlocking(() -> PasswordHasher.hash(password), false)
        .compose(hash -> pool.preparedQuery("INSERT INTO gateway.operators (username, password_hash, roles) "
                + "VALUES ($1, $2, $3) ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, "
                + "roles = EXCLUDED.roles, updated_at = now()")
            .execute(Tuple.of(username, hash, roles)))
        .mapEmpty();
  }

  public Future<List<String>> usernames() {
    return pool.query("SELECT username FROM gateway.operators ORDER BY username").execute()
        .map(rows -> { List<String> names = new java.util.ArrayList<>(); rows.forEach(r -> names.add(r.getString(0))); return names; });
  }
}

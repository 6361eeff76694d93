package dev.mileage.gateway.http;

import io.vertx.ext.web.RoutingContext;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is calling, as established by an {@link Authenticator}. Handlers authorize with it and never
 * trust ids from the request over it: a member can only ever reach {@code member:<id>} accounts.
 */
public record Caller(Kind kind, String id, Set<String> roles) {
  public enum Kind { OPERATOR, MEMBER, PARTNER, VENDOR, STORE }

  private static final String KEY = "caller";

  public Caller {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    roles = Set.copyOf(roles);
  }

  /** The ledger owner string of this caller, e.g. {@code member:42}. */
  public String owner() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + id;
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public static Optional<Caller> of(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(KEY));
  }

  public void attachTo(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}

package dev.mileage.gateway.http;

import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/** Authorization helpers for handlers: they answer 403 themselves, so a handler just returns on empty. */
public final class Access {
  public static final String ROLE_OPERATOR = "operator";
  public static final String ROLE_SHOP_MANAGER = "shop_manager";
  public static final String ROLE_VENDOR = "vendor";
  public static final String ROLE_CASHIER = "cashier";

  private Access() {
  }

  /** The caller if it holds {@code role}; otherwise answers 403 (or 401 if unauthenticated) and is empty. */
  public static Optional<Caller> requireRole(RoutingContext ctx, String role) {
    Optional<Caller> caller = Caller.of(ctx);
    if (caller.isEmpty()) {
      Errors.send(ctx, 401, "unauthorized", "credentials required");
      return Optional.empty();
    }
    if (!caller.get().hasRole(role)) {
      Errors.forbidden(ctx, "this needs the " + role + " role");
      return Optional.empty();
    }
    return caller;
  }

  /** A handler that lets only callers with {@code role} through. */
  public static io.vertx.core.Handler<RoutingContext> role(String role) {
    return ctx -> requireRole(ctx, role).ifPresent(c -> ctx.next());
  }
}

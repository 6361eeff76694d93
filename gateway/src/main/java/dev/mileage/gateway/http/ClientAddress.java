package dev.mileage.gateway.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The address per-source limits key on: the TCP peer's IP address ("unknown" when the server has none).
 * Behind a proxy every caller is the proxy's address (README); a trusted-proxy setting would change this one place.
 */
public final class ClientAddress {
  private ClientAddress() {
  }

  public static String of(HttpServerRequest request) {
    var a = request.remoteAddress();
    return a == null ? "unknown" : a.hostAddress();
  }

  public static String of(RoutingContext ctx) {
    return of(ctx.request());
  }
}

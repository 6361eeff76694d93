package dev.mileage.gateway;

import dev.mileage.gateway.http.Authenticator;
import io.vertx.core.Deployable;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * What a feature (ledger, metering, shop, sip, streaming, trading, mall, certificates) hands the
 * application. The application migrates the feature's schema ({@code classpath:db/<name>}) if it has
 * one, mounts its routes under {@code /api/v1}, and deploys its verticles. Features move points only
 * through {@link GatewayContext#ledger()} and talk to each other over the event bus.
 */
public interface Feature {
  /** Lower-case identifier; also the name of the feature's PostgreSQL schema. */
  String name();

  /** Whether {@code classpath:db/<name>} holds migrations to apply at start. */
  default boolean hasSchema() {
    return false;
  }

  /**
   * Called once, in feature order, after the schemas are migrated and before any other method that takes
   * the context: make the feature's services here. Features that need nothing at start leave it empty.
   */
  default void start(GatewayContext context) {
  }

  /** Called once the HTTP server listens, with its actual port (the configured one, or the one chosen for 0). */
  default void listening(GatewayContext context, int httpPort) {
  }

  /** Routes relative to {@code /api/v1} (the router is that sub-router); the caller is already resolved. */
  default void mountApi(Router api, GatewayContext context) {
  }

  /** Routes at the site root (pages, event streams, sign-in); use sparingly. */
  default void mountRoot(Router root, GatewayContext context) {
  }

  /** Routes whose bodies may be larger than the API's default limit, for authenticated callers of a role only. */
  default List<dev.mileage.gateway.http.LargeBody> largeBodies() {
    return List.of();
  }

  /** Ways this feature recognises callers (member sessions, partner signatures, ...). */
  default List<Authenticator> authenticators(GatewayContext context) {
    return List.of();
  }

  default List<Deployable> verticles(GatewayContext context) {
    return List.of();
  }

  /**
   * Lines for the start-up banner, asked after the verticles are deployed, e.g.
   * {@code "SIP:       sip:127.0.0.1:5060 (UDP/TCP)"} with the port actually bound. A line starting with
   * {@code "SIP:"} replaces the banner's default SIP line (the configured address).
   */
  default List<String> banner(GatewayContext context) {
    return List.of();
  }
}

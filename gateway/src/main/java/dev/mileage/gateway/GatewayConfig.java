package dev.mileage.gateway;

import dev.mileage.gateway.http.TrustedProxies;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings, from (lowest to highest precedence) defaults, a config file, environment variables and
 * command-line flags. Secrets never appear in {@link #toString()}.
 *
 * @param databaseUrl empty: start the embedded PostgreSQL in {@code dataDir}
 * @param production  refuse to start with any default secret
 * @param demo        seed demo data (operator, members, products, demo numbers) at start
 * @param trustedProxies reverse proxies whose forwarding header (X-Forwarded-For or Forwarded) names the client for
 *                       per-address limits (default none)
 * @param metricsToken bearer token {@code /metrics} requires; empty: {@code /metrics} answers loopback peers only
 */
public record GatewayConfig(String host, int httpPort, int sipPort, Path dataDir, Optional<String> databaseUrl,
                            boolean production, boolean demo, String operatorUser, String operatorPassword,
                            String trunkUri, int sipWsPort, Optional<Path> sipTlsKeyStore,
                            String sipTlsKeyStorePassword, TrustedProxies trustedProxies, Optional<String> metricsToken) {
  /** Default port of SIP over WebSocket for browsers (RFC 7118). */
  public static final int SIP_WS_PORT_DEFAULT = 5066;

  /** Without browser settings: WS on a free port when SIP is on one (tests), else on the default port; no TLS. */
  public GatewayConfig(String host, int httpPort, int sipPort, Path dataDir, Optional<String> databaseUrl,
                       boolean production, boolean demo, String operatorUser, String operatorPassword, String trunkUri) {
    this(host, httpPort, sipPort, dataDir, databaseUrl, production, demo, operatorUser, operatorPassword, trunkUri,
        sipPort == 0 ? 0 : SIP_WS_PORT_DEFAULT, Optional.empty(), "", TrustedProxies.NONE, Optional.empty());
  }

  /** Without trusted proxies (the default: no forwarding header is ever read). */
  public GatewayConfig(String host, int httpPort, int sipPort, Path dataDir, Optional<String> databaseUrl,
                       boolean production, boolean demo, String operatorUser, String operatorPassword, String trunkUri,
                       int sipWsPort, Optional<Path> sipTlsKeyStore, String sipTlsKeyStorePassword) {
    this(host, httpPort, sipPort, dataDir, databaseUrl, production, demo, operatorUser, operatorPassword, trunkUri,
        sipWsPort, sipTlsKeyStore, sipTlsKeyStorePassword, TrustedProxies.NONE, Optional.empty());
  }

  /** This configuration with these trusted proxies. */
  public GatewayConfig withTrustedProxies(TrustedProxies proxies) {
    return new GatewayConfig(host, httpPort, sipPort, dataDir, databaseUrl, production, demo, operatorUser,
        operatorPassword, trunkUri, sipWsPort, sipTlsKeyStore, sipTlsKeyStorePassword, proxies, metricsToken);
  }

  /** This configuration with this metrics token (empty: loopback peers only). */
  public GatewayConfig withMetricsToken(Optional<String> token) {
    return new GatewayConfig(host, httpPort, sipPort, dataDir, databaseUrl, production, demo, operatorUser,
        operatorPassword, trunkUri, sipWsPort, sipTlsKeyStore, sipTlsKeyStorePassword, trustedProxies, token);
  }

  public GatewayConfig {
    Objects.requireNonNull(sipTlsKeyStore, "sipTlsKeyStore");
    Objects.requireNonNull(sipTlsKeyStorePassword, "sipTlsKeyStorePassword");
    Objects.requireNonNull(trustedProxies, "trustedProxies");
    Objects.requireNonNull(metricsToken, "metricsToken");
    if (sipWsPort < 0 || sipWsPort > 65535) throw new IllegalArgumentException("sipWsPort out of range: " + sipWsPort);
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(databaseUrl, "databaseUrl");
    Objects.requireNonNull(operatorUser, "operatorUser");
    Objects.requireNonNull(operatorPassword, "operatorPassword");
    Objects.requireNonNull(trunkUri, "trunkUri");
    if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("httpPort out of range: " + httpPort);
    if (sipPort < 0 || sipPort > 65535) throw new IllegalArgumentException("sipPort out of range: " + sipPort);
  }

  /**
   * The address this gateway's own clients (SMS sender, the simulated bank's notices) reach it at: the bound host,
   * or loopback when bound to every interface.
   */
  public String localAddress() {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  @Override
  public String toString() {
    return "GatewayConfig[host=" + host + ", httpPort=" + httpPort + ", sipPort=" + sipPort + ", dataDir=" + dataDir
        + ", database=" + (databaseUrl.isPresent() ? "external" : "embedded") + ", production=" + production
        + ", demo=" + demo + ", operatorUser=" + operatorUser + ", trunkUri=" + trunkUri + ", sipWsPort=" + sipWsPort
        + ", sipTlsKeyStore=" + sipTlsKeyStore + ", trustedProxies=" + trustedProxies
        + ", metricsToken=" + (metricsToken.isPresent() ? "set" : "none") + "]";
  }
}

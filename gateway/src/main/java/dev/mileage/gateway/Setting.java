package dev.mileage.gateway;

import java.util.Locale;

/**
 * Every setting in one table: its flag, its environment variable, its config-file key and its default.
 * {@link Main} builds {@code --help} from this table and {@link ConfigLoader} resolves values with it.
 */
public enum Setting {
  HTTP_PORT("http-port", "8080", "HTTP port of the web page and the API (0: any free port)"),
  SIP_PORT("sip-port", "5060", "SIP port (UDP and TCP) of the call gateway (0: any free port)"),
  SIP_WS_PORT("sip-ws-port", "5066", "port of SIP over WebSocket for the browser phone (RFC 7118; WSS when"
      + " --sip-tls-key-store is set; 0: any free port, the default when --sip-port is 0)"),
  SIP_TLS_KEY_STORE("sip-tls-key-store", "", "PKCS#12 (or .jks) key store with the certificate for WSS; empty: plain WS,"
      + " meant for loopback"),
  SIP_TLS_KEY_STORE_PASSWORD("sip-tls-key-store-password", "", "password of --sip-tls-key-store"),
  HOST("host", "127.0.0.1", "address to bind HTTP and SIP to"),
  TRUSTED_PROXIES("trusted-proxies", "", "comma-separated addresses or CIDR blocks of reverse proxies in front of HTTP;"
      + " only from these is their --trusted-proxy-header believed, for per-address limits (empty: headers ignored, the TCP"
      + " peer counts)"),
  TRUSTED_PROXY_HEADER("trusted-proxy-header", "X-Forwarded-For", "the header --trusted-proxies write the client"
      + " into: X-Forwarded-For, or Forwarded (RFC 7239 for=); only that one is read, the other is whatever the client sent"),
  METRICS_TOKEN("metrics-token", "", "bearer token /metrics requires (Authorization: Bearer ...; 16+ characters of"
      + " A-Z a-z 0-9 - . _ ~ + /); empty: /metrics answers only TCP peers on loopback that are not trusted proxies."
      + " Required with --production"),
  DATA_DIR("data-dir", "./data", "folder for the embedded PostgreSQL and other files; survives restarts"),
  DATABASE_URL("database-url", "", "postgres://user:password@host:port/db; empty: embedded PostgreSQL in the data folder"
      + " (environment: DATABASE_URL or MILEAGE_DATABASE_URL)"),
  TRUNK_URI("trunk-uri", "sip:pstn@127.0.0.1:5080", "SIP URI of the PSTN trunk (default: the built-in simulated trunk)"),
  OPERATOR_USER("operator-user", "operator", "user name of the bootstrap operator"),
  OPERATOR_PASSWORD("operator-password", "mileage-demo", "password of the bootstrap operator (refused with --production when default)"),
  PRODUCTION("production", "false", "production mode: refuse to start with any default secret (default operator"
      + " password, embedded database without password, no --metrics-token)"),
  NO_DEMO("no-demo", "false", "do not seed demo data (members, products, demo numbers)");

  /** The demo default secrets that production mode refuses. */
  public static final String DEFAULT_OPERATOR_PASSWORD = OPERATOR_PASSWORD.defaultValue;
  public static final int OPERATOR_PASSWORD_LENGTH_MIN = 12;
  /** A metrics token shorter than this is guessable; Prometheus reads it from a file, so length costs nothing. */
  public static final int METRICS_TOKEN_LENGTH_MIN = 16;

  final String key;
  final String defaultValue;
  final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public String flag() {
    return "--" + key;
  }

  public String environmentVariable() {
    return "MILEAGE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  public boolean isSwitch() {
    return this == PRODUCTION || this == NO_DEMO;
  }

  /** Secrets are never printed, logged or shown as defaults in --help. */
  public boolean isSecret() {
    return this == OPERATOR_PASSWORD || this == DATABASE_URL || this == SIP_TLS_KEY_STORE_PASSWORD
        || this == METRICS_TOKEN;
  }
}

package dev.mileage.gateway;

import dev.mileage.gateway.http.TrustedProxies;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolves the {@link GatewayConfig} from, lowest precedence first: defaults, a config file (Java
 * properties, keys as the flags without dashes, e.g. {@code http-port=8081}), environment variables
 * ({@code MILEAGE_HTTP_PORT}; {@code DATABASE_URL} too) and command-line flags.
 */
public final class ConfigLoader {

  /** Thrown for settings a person must fix; the message says which and why, never a secret's value. */
  public static final class ConfigException extends Exception {
    public ConfigException(String message) {
      super(message);
    }
  }

  private ConfigLoader() {
  }

  public static GatewayConfig load(Map<Setting, String> flags, Map<String, String> environment,
                                   Optional<Path> configFile) throws ConfigException {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) values.put(s, s.defaultValue());
    if (configFile.isPresent()) values.putAll(readFile(configFile.get()));
    for (Setting s : Setting.values()) {
      String env = environment.get(s.environmentVariable());
      if (s == Setting.DATABASE_URL && env == null) env = environment.get("DATABASE_URL");
      if (env != null) values.put(s, env.trim());
    }
    values.putAll(flags);
    boolean wsPortSet = flags.containsKey(Setting.SIP_WS_PORT)
        || environment.containsKey(Setting.SIP_WS_PORT.environmentVariable())
        || (configFile.isPresent() && readFile(configFile.get()).containsKey(Setting.SIP_WS_PORT));
    // "any free port" for SIP means the same for its WebSocket unless that was set: tests and side-by-side runs
    if (!wsPortSet && "0".equals(values.get(Setting.SIP_PORT))) values.put(Setting.SIP_WS_PORT, "0");
    return build(values);
  }

  private static Map<Setting, String> readFile(Path file) throws ConfigException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    List<String> unknown = new ArrayList<>();
    for (String key : properties.stringPropertyNames()) {
      Optional<Setting> setting = byKey(key);
      if (setting.isEmpty()) unknown.add(key);
      else values.put(setting.get(), properties.getProperty(key).trim());
    }
    if (!unknown.isEmpty()) throw new ConfigException("unknown keys in config file " + file + ": " + unknown);
    return values;
  }

  static Optional<Setting> byKey(String key) {
    for (Setting s : Setting.values()) if (s.key().equals(key)) return Optional.of(s);
    return Optional.empty();
  }

  private static GatewayConfig build(Map<Setting, String> v) throws ConfigException {
    int httpPort = port(v, Setting.HTTP_PORT);
    int sipPort = port(v, Setting.SIP_PORT);
    int sipWsPort = port(v, Setting.SIP_WS_PORT);
    String keyStore = v.get(Setting.SIP_TLS_KEY_STORE);
    if (!keyStore.isEmpty() && !Files.isReadable(Path.of(keyStore))) {
      throw new ConfigException(Setting.SIP_TLS_KEY_STORE.flag() + " is not a readable file: " + keyStore);
    }
    String host = v.get(Setting.HOST);
    if (host.isEmpty()) throw new ConfigException(Setting.HOST.flag() + " must not be empty");
    String dataDir = v.get(Setting.DATA_DIR);
    if (dataDir.isEmpty()) throw new ConfigException(Setting.DATA_DIR.flag() + " must not be empty");
    String url = v.get(Setting.DATABASE_URL);
    if (!url.isEmpty() && !url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
      throw new ConfigException(Setting.DATABASE_URL.flag() + " must start with postgres:// or postgresql://");
    }
    String trunk = v.get(Setting.TRUNK_URI);
    if (!trunk.startsWith("sip:") && !trunk.startsWith("sips:")) {
      throw new ConfigException(Setting.TRUNK_URI.flag() + " must be a sip: or sips: URI");
    }
    String user = v.get(Setting.OPERATOR_USER);
    if (!user.matches("[a-z][a-z0-9_.-]{0,31}")) {
      throw new ConfigException(Setting.OPERATOR_USER.flag() + " must be 1..32 lower-case letters, digits, _ . -");
    }
    String password = v.get(Setting.OPERATOR_PASSWORD);
    if (password.isEmpty()) throw new ConfigException(Setting.OPERATOR_PASSWORD.flag() + " must not be empty");
    boolean production = bool(v, Setting.PRODUCTION);
    boolean demo = !bool(v, Setting.NO_DEMO);
    if (production) {
      if (password.equals(Setting.DEFAULT_OPERATOR_PASSWORD)) {
        throw new ConfigException("--production refuses the default operator password: set "
            + Setting.OPERATOR_PASSWORD.flag() + " (or " + Setting.OPERATOR_PASSWORD.environmentVariable() + ")");
      }
      if (password.length() < Setting.OPERATOR_PASSWORD_LENGTH_MIN) {
        throw new ConfigException("--production needs an operator password of at least "
            + Setting.OPERATOR_PASSWORD_LENGTH_MIN + " characters");
      }
      // the embedded server trusts every local connection without a password: fine for a demo only
      if (url.isEmpty() || !hasPassword(url)) {
        throw new ConfigException("--production needs " + Setting.DATABASE_URL.flag()
            + " (or DATABASE_URL) naming a server with a password: the embedded PostgreSQL has none");
      }
    }
    String metricsToken = v.get(Setting.METRICS_TOKEN);
    if (!metricsToken.isEmpty() && (metricsToken.length() < Setting.METRICS_TOKEN_LENGTH_MIN
        || !metricsToken.matches("[A-Za-z0-9._~+/-]+=*"))) {
      // the value itself is never echoed: it is a secret even when it is a bad one
      throw new ConfigException(Setting.METRICS_TOKEN.flag() + " must be at least " + Setting.METRICS_TOKEN_LENGTH_MIN
          + " characters of A-Z a-z 0-9 - . _ ~ + / (an RFC 6750 bearer token)");
    }
    // behind a reverse proxy on the same host every request comes from loopback: in production only a token will do
    if (production && metricsToken.isEmpty()) {
      throw new ConfigException("--production needs " + Setting.METRICS_TOKEN.flag() + " (or "
          + Setting.METRICS_TOKEN.environmentVariable() + "): without it /metrics trusts loopback peers, and a reverse"
          + " proxy on the same host is one");
    }
    TrustedProxies proxies;
    try {
      proxies = TrustedProxies.parse(v.get(Setting.TRUSTED_PROXIES));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(Setting.TRUSTED_PROXIES.flag() + ": " + e.getMessage());
    }
    String headerText = v.get(Setting.TRUSTED_PROXY_HEADER);
    proxies = proxies.withHeader(TrustedProxies.Header.parse(headerText).orElseThrow(() -> new ConfigException(
        Setting.TRUSTED_PROXY_HEADER.flag() + " must be X-Forwarded-For or Forwarded: " + headerText)));
    return new GatewayConfig(host, httpPort, sipPort, Path.of(dataDir), url.isEmpty() ? Optional.empty() : Optional.of(url),
        production, demo, user, password, trunk, sipWsPort,
        keyStore.isEmpty() ? Optional.empty() : Optional.of(Path.of(keyStore)), v.get(Setting.SIP_TLS_KEY_STORE_PASSWORD),
        proxies, metricsToken.isEmpty() ? Optional.empty() : Optional.of(metricsToken));
  }

  private static boolean hasPassword(String url) {
    try {
      String userInfo = java.net.URI.create(url).getRawUserInfo();
      return userInfo != null && userInfo.indexOf(':') > 0 && userInfo.indexOf(':') < userInfo.length() - 1;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static int port(Map<Setting, String> v, Setting s) throws ConfigException {
    try {
      int port = Integer.parseInt(v.get(s));
      if (port < 0 || port > 65535) throw new NumberFormatException();
      return port;
    } catch (NumberFormatException e) {
      throw new ConfigException(s.flag() + " must be a port number 0..65535: " + v.get(s));
    }
  }

  private static boolean bool(Map<Setting, String> v, Setting s) throws ConfigException {
    String value = v.get(s).toLowerCase(Locale.ROOT);
    if (value.equals("true") || value.equals("1") || value.equals("yes")) return true;
    if (value.equals("false") || value.equals("0") || value.equals("no") || value.isEmpty()) return false;
    throw new ConfigException(s.flag() + " must be true or false: " + v.get(s));
  }
}

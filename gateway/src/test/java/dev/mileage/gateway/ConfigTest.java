package dev.mileage.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Settings: defaults < config file < environment < flags; --help; production refuses default secrets. */
class ConfigTest {
  @TempDir
  Path dir;

  @Test
  void defaultsWithNothingGiven() throws Exception {
    GatewayConfig c = ConfigLoader.load(Map.of(), Map.of(), Optional.empty());
    assertEquals(8080, c.httpPort());
    assertEquals(5060, c.sipPort());
    assertEquals("127.0.0.1", c.host());
    assertEquals(Path.of("./data"), c.dataDir());
    assertTrue(c.databaseUrl().isEmpty());
    assertTrue(c.demo());
    assertFalse(c.production());
  }

  @Test
  void precedenceIsDefaultsThenFileThenEnvironmentThenFlags() throws Exception {
    Path file = dir.resolve("gateway.properties");
    Files.writeString(file, "http-port=1001\nsip-port=1002\nhost=::1\ndata-dir=/from-file\n");
    Map<String, String> env = Map.of("MILEAGE_SIP_PORT", "2002", "MILEAGE_DATA_DIR", "/from-env");
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.DATA_DIR, "/from-flag");
    GatewayConfig c = ConfigLoader.load(flags, env, Optional.of(file));
    assertEquals(1001, c.httpPort(), "file over default");
    assertEquals(2002, c.sipPort(), "environment over file");
    assertEquals(Path.of("/from-flag"), c.dataDir(), "flag over environment");
    assertEquals("::1", c.host());
  }

  @Test
  void databaseUrlFromTheConventionalVariable() throws Exception {
    GatewayConfig c = ConfigLoader.load(Map.of(), Map.of("DATABASE_URL", "postgres://u:p@db:5432/x"), Optional.empty());
    assertEquals(Optional.of("postgres://u:p@db:5432/x"), c.databaseUrl());
    assertFalse(c.toString().contains("u:p"), "secrets stay out of toString");
  }

  @Test
  void badValuesAreRefusedWithTheirSetting() {
    var e = assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(Map.of(Setting.HTTP_PORT, "70000"), Map.of(), Optional.empty()));
    assertTrue(e.getMessage().contains("--http-port"));
    assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(Map.of(Setting.DATABASE_URL, "mysql://x"), Map.of(), Optional.empty()));
  }

  @Test
  void unknownConfigFileKeyIsRefused() throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "http_port=1\n");
    var e = assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(Map.of(), Map.of(), Optional.of(file)));
    assertTrue(e.getMessage().contains("http_port"));
  }

  @Test
  void productionRefusesTheDefaultOperatorPassword() throws Exception {
    var e = assertThrows(ConfigLoader.ConfigException.class,
        () -> ConfigLoader.load(Map.of(Setting.PRODUCTION, "true"), Map.of(), Optional.empty()));
    assertTrue(e.getMessage().contains("default operator password"));
    assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(Map.of(Setting.PRODUCTION, "true",
        Setting.OPERATOR_PASSWORD, "short"), Map.of(), Optional.empty()));
    var embedded = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(
        Map.of(Setting.PRODUCTION, "true"), Map.of("MILEAGE_OPERATOR_PASSWORD", "a-long-enough-secret"), Optional.empty()));
    assertTrue(embedded.getMessage().contains("embedded PostgreSQL has none"), embedded.getMessage());
    assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(Map.of(Setting.PRODUCTION, "true"),
        Map.of("MILEAGE_OPERATOR_PASSWORD", "a-long-enough-secret", "DATABASE_URL", "postgres://app@db/x"),
        Optional.empty()));
    var noToken = assertThrows(ConfigLoader.ConfigException.class, () -> ConfigLoader.load(Map.of(Setting.PRODUCTION, "true"),
        Map.of("MILEAGE_OPERATOR_PASSWORD", "a-long-enough-secret", "DATABASE_URL", "postgres://app:s3cret@db/x"),
        Optional.empty()));
    assertTrue(noToken.getMessage().contains("--metrics-token"), noToken.getMessage());
    GatewayConfig ok = ConfigLoader.load(Map.of(Setting.PRODUCTION, "true"),
        Map.of("MILEAGE_OPERATOR_PASSWORD", "a-long-enough-secret", "DATABASE_URL", "postgres://app:s3cret@db/x",
            "MILEAGE_METRICS_TOKEN", METRICS_TOKEN), Optional.empty());
    assertTrue(ok.production());
    assertFalse(ok.toString().contains("s3cret"));
  }

  static final String METRICS_TOKEN = "prom-Scrape.Token_2026~x+y/z==";

  @Test
  void metricsTokenComesFromTheFileTheEnvironmentOrTheFlagAndIsNeverShown() throws Exception {
    assertTrue(ConfigLoader.load(Map.of(), Map.of(), Optional.empty()).metricsToken().isEmpty(), "none by default");
    Path file = dir.resolve("metrics.properties");
    Files.writeString(file, "metrics-token=from-the-file-0123456789\n");
    assertEquals(Optional.of("from-the-file-0123456789"),
        ConfigLoader.load(Map.of(), Map.of(), Optional.of(file)).metricsToken());
    GatewayConfig fromEnv = ConfigLoader.load(Map.of(), Map.of("MILEAGE_METRICS_TOKEN", METRICS_TOKEN), Optional.of(file));
    assertEquals(Optional.of(METRICS_TOKEN), fromEnv.metricsToken());
    assertFalse(fromEnv.toString().contains(METRICS_TOKEN), fromEnv.toString());
    assertTrue(fromEnv.toString().contains("metricsToken=set"), fromEnv.toString());
    GatewayConfig fromFlag = ConfigLoader.load(Map.of(Setting.METRICS_TOKEN, "from-the-flag-0123456789"),
        Map.of("MILEAGE_METRICS_TOKEN", METRICS_TOKEN), Optional.empty());
    assertEquals(Optional.of("from-the-flag-0123456789"), fromFlag.metricsToken());
    assertTrue(Setting.METRICS_TOKEN.isSecret());
  }

  @Test
  void aShortOrMalformedMetricsTokenIsRefusedWithoutEchoingIt() {
    for (String bad : new String[] {"short-token", "has a space in it 0123", "quote\"d-0123456789abc", "ünïcödé-0123456789",
        "=leading-equals-0123456789", "tab\tinside-0123456789"}) {
      var e = assertThrows(ConfigLoader.ConfigException.class,
          () -> ConfigLoader.load(Map.of(Setting.METRICS_TOKEN, bad), Map.of(), Optional.empty()), bad);
      assertTrue(e.getMessage().startsWith("--metrics-token must be"), e.getMessage());
      assertFalse(e.getMessage().contains(bad), "the refused value is not echoed");
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--metrics-token", "short"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--metrics-token must be"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpNamesTheMetricsTokenSetting() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, Main.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.contains("--metrics-token") && help.contains("MILEAGE_METRICS_TOKEN") && help.contains("Bearer"), help);
  }

  @Test
  void mainProductionWithDefaultsExitsNonZeroWithAClearMessage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--production", "--data-dir", dir.toString()}, Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("refuses the default operator password"));
    assertFalse(Files.exists(dir.resolve("pg")), "nothing started");
  }

  @Test
  void helpListsEverySetting() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err);
    assertEquals(0, code);
    String help = out.toString(StandardCharsets.UTF_8);
    for (Setting s : Setting.values()) assertTrue(help.contains(s.flag()), s.flag());
    assertTrue(help.contains("--config"));
    for (String env : new String[] {"MILEAGE_SMSC_URI", "MILEAGE_TRUNK_USER", "MILEAGE_TRUNK_PASSWORD",
        "MILEAGE_SIP_MD5_FIRST", "MILEAGE_PUBLIC_BASE_URL", dev.mileage.gateway.trading.TradingSettings.RATE_FEED_ENV,
        dev.mileage.gateway.sip.SipFeature.MD5_FIRST_ENVIRONMENT,
        dev.mileage.gateway.sip.SipFeature.OVERLOAD_DELAY_ENVIRONMENT,
        dev.mileage.gateway.certificates.CertificatesOptions.BANK_URL_ENV,
        dev.mileage.gateway.certificates.CertificatesOptions.BANK_SECRET_ENV}) {
      assertTrue(help.contains(env), "--help names the environment-only setting " + env);
    }
    assertFalse(help.contains(Setting.DEFAULT_OPERATOR_PASSWORD), "no secret shown as a default");
  }

  @Test
  void mainReadsTheConfigFileAndRefusesItsMistakes() throws Exception {
    Path file = dir.resolve("gateway.properties");
    Files.writeString(file, "http-port=not-a-port\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--config", file.toString()}, Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--http-port must be a port number"));
    code = Main.run(new String[] {"--config", dir.resolve("missing.properties").toString()}, Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot read config file"));
  }

  @Test
  void unknownFlagExitsWithUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--no-such-flag"}, Map.of(), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--no-such-flag"));
  }

  @Test
  void trustedProxiesComeFromTheFileTheEnvironmentOrTheFlagAndNoneByDefault() throws Exception {
    assertTrue(ConfigLoader.load(Map.of(), Map.of(), Optional.empty()).trustedProxies().isEmpty(), "none by default");
    Path file = dir.resolve("proxies.properties");
    Files.writeString(file, "trusted-proxies=10.0.0.5\n");
    GatewayConfig fromFile = ConfigLoader.load(Map.of(), Map.of(), Optional.of(file));
    assertTrue(fromFile.trustedProxies().contains("10.0.0.5"));
    assertFalse(fromFile.trustedProxies().contains("10.0.0.6"));
    GatewayConfig fromEnv = ConfigLoader.load(Map.of(), Map.of("MILEAGE_TRUSTED_PROXIES", "192.168.0.0/16, ::1"), Optional.of(file));
    assertTrue(fromEnv.trustedProxies().contains("192.168.44.1"));
    assertTrue(fromEnv.trustedProxies().contains("0:0:0:0:0:0:0:1"));
    assertFalse(fromEnv.trustedProxies().contains("10.0.0.5"), "the environment replaces the file");
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    flags.put(Setting.TRUSTED_PROXIES, "127.0.0.1");
    GatewayConfig fromFlag = ConfigLoader.load(flags, Map.of("MILEAGE_TRUSTED_PROXIES", "192.168.0.0/16"), Optional.empty());
    assertTrue(fromFlag.trustedProxies().contains("127.0.0.1"));
    assertFalse(fromFlag.trustedProxies().contains("192.168.44.1"));
    assertTrue(fromFlag.toString().contains("trustedProxies=127.0.0.1/32"), fromFlag.toString());
  }

  @Test
  void aTrustedProxyThatIsNotAnAddressOrBlockIsRefusedAtStart() {
    for (String bad : new String[] {"proxy.example.com", "10.0.0.0/33", "10.0.0.1,,10.0.0.2", "::1/129", "10.0.0.0/-1", "1.2.3"}) {
      var e = assertThrows(ConfigLoader.ConfigException.class,
          () -> ConfigLoader.load(Map.of(), Map.of("MILEAGE_TRUSTED_PROXIES", bad), Optional.empty()), bad);
      assertTrue(e.getMessage().startsWith("--trusted-proxies: "), e.getMessage());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"--trusted-proxies", "not-an-address"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(Main.EXIT_CONFIG, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("not an IP address or CIDR block"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theTrustedProxiesHeaderIsXForwardedForUnlessSetToForwarded() throws Exception {
    assertEquals(dev.mileage.gateway.http.TrustedProxies.Header.X_FORWARDED_FOR,
        ConfigLoader.load(Map.of(), Map.of("MILEAGE_TRUSTED_PROXIES", "10.0.0.5"), Optional.empty()).trustedProxies().header());
    GatewayConfig forwarded = ConfigLoader.load(Map.of(Setting.TRUSTED_PROXY_HEADER, "forwarded"),
        Map.of("MILEAGE_TRUSTED_PROXIES", "10.0.0.5"), Optional.empty());
    assertEquals(dev.mileage.gateway.http.TrustedProxies.Header.FORWARDED, forwarded.trustedProxies().header());
    assertTrue(forwarded.trustedProxies().contains("10.0.0.5"));
    assertTrue(forwarded.toString().contains("trustedProxies=10.0.0.5/32 (Forwarded)"), forwarded.toString());
    Path file = dir.resolve("header.properties");
    Files.writeString(file, "trusted-proxy-header=Forwarded\n");
    assertEquals(dev.mileage.gateway.http.TrustedProxies.Header.FORWARDED,
        ConfigLoader.load(Map.of(), Map.of(), Optional.of(file)).trustedProxies().header());
    for (String bad : new String[] {"X-Real-IP", "both", ""}) {
      var e = assertThrows(ConfigLoader.ConfigException.class,
          () -> ConfigLoader.load(Map.of(Setting.TRUSTED_PROXY_HEADER, bad), Map.of(), Optional.empty()), bad);
      assertTrue(e.getMessage().startsWith("--trusted-proxy-header must be X-Forwarded-For or Forwarded"), e.getMessage());
    }
  }

  @Test
  void helpNamesTheTrustedProxiesSetting() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, Main.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.contains("--trusted-proxies") && help.contains("MILEAGE_TRUSTED_PROXIES") && help.contains("X-Forwarded-For"), help);
  }
}

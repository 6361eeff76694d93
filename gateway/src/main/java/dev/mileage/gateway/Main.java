package dev.mileage.gateway;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command line: {@code java -jar gateway.jar [options]}. Options come from the {@link Setting}
 * table, so {@code --help}, the environment and the config file can never disagree.
 */
public final class Main {

  /** Exit codes: 0 stopped normally, 2 bad settings, 1 failed to start. */
  public static final int EXIT_CONFIG = 2;
  public static final int EXIT_START_FAILED = 1;

  private Main() {
  }

  public static void main(String[] args) {
    Logging.configure();
    int code = run(args, System.getenv(), System.out, System.err);
    if (code >= 0) System.exit(code);
  }

  /** Answers an exit code, or -1 when the gateway is running (it stops on SIGTERM). */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(spec());
    ParseResult parsed;
    try {
      parsed = commandLine.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      err.println(e.getMessage());
      commandLine.usage(err);
      return EXIT_CONFIG;
    }
    if (parsed.isUsageHelpRequested()) {
      commandLine.usage(out);
      return 0;
    }
    GatewayConfig config;
    try {
      config = ConfigLoader.load(flags(parsed), environment,
          Optional.ofNullable(parsed.matchedOptionValue("--config", (String) null)).map(Path::of));
    } catch (ConfigLoader.ConfigException e) {
      err.println("mileage-gateway: " + e.getMessage());
      return EXIT_CONFIG;
    }
    List<Feature> features;
    try {
      features = Features.all(); // features read their integration settings from the environment here
    } catch (IllegalArgumentException e) {
      err.println("mileage-gateway: " + e.getMessage());
      return EXIT_CONFIG;
    }
    Optional<DemoPstn> pstn = DemoPstn.startIfWanted(config, out);
    GatewayApp app = new GatewayApp(config, features);
    try {
      app.start();
    } catch (Exception e) {
      Logger.getLogger(Main.class.getName()).log(Level.SEVERE, "start failed", e);
      err.println("mileage-gateway: start failed: " + e.getMessage());
      app.stop();
      pstn.ifPresent(DemoPstn::close);
      return EXIT_START_FAILED;
    }
    out.println("Web page:  http://" + hostForUrl(config.host()) + ":" + app.httpPort() + "/");
    out.println("API:       http://" + hostForUrl(config.host()) + ":" + app.httpPort() + "/api/v1 (OpenAPI at /openapi.yaml)");
    List<String> banner = app.bannerLines();
    if (banner.stream().noneMatch(line -> line.startsWith("SIP:"))) {
      out.println("SIP:       sip:" + hostForUrl(config.host()) + ":" + config.sipPort() + " (UDP/TCP)");
    }
    banner.forEach(out::println);
    out.println("Database:  " + app.databaseDescription());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      pstn.ifPresent(DemoPstn::close);
      Logging.shutdown();
    }, "gateway-shutdown"));
    return -1;
  }

  private static String hostForUrl(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  static CommandSpec spec() {
    CommandSpec spec = CommandSpec.create().name("mileage-gateway");
    spec.usageMessage()
        .description("Loyalty points become phone calls and streaming time.",
            "Settings, lowest precedence first: defaults < --config file < environment (MILEAGE_*) < flags.")
        .sortOptions(false)
        .footer("", "Integration settings, from the environment only:",
            "  MILEAGE_SMSC_URI         SMSC for SMS (default: sip:smsc@ the trunk's host)",
            "  MILEAGE_TRUNK_USER       digest user, if the trunk challenges INVITEs",
            "  MILEAGE_TRUNK_PASSWORD   digest password for that trunk",
            "  MILEAGE_SIP_MD5_FIRST    true: MD5 challenge before SHA-256 (SIPp 3.6)",
            "  MILEAGE_SIP_OVERLOAD_DELAY_MS  SIP queue wait (ms) past which new calls get 503 (default 100)",
            "  MILEAGE_PUBLIC_BASE_URL  base of gift-claim links (required with --production; default: request Host)",
            "  MILEAGE_RATE_FEED        exchange rates: JSON file or http(s) URL (5 min)",
            "  MILEAGE_BANK_URL         bank provider's deposit-return API (default: a simulated one on loopback;",
            "                           --production refuses that)",
            "  MILEAGE_BANK_SECRET      that provider's secret (32+ chars; never printed)",
            "  MILEAGE_MALL_SETTLEMENT_INTERVAL  owed mall reimbursements paid this often",
            "                           (ISO-8601 duration, default PT1M)",
            "  MILEAGE_MALL_SETTLEMENT_DELAY     ...once owed this long (default P1D)");
    spec.mixinStandardHelpOptions(true);
    spec.addOption(OptionSpec.builder("--config").paramLabel("FILE").type(String.class)
        .description("config file (Java properties; keys as the flags, e.g. http-port=8081)").build());
    for (Setting s : Setting.values()) {
      OptionSpec.Builder option = OptionSpec.builder(s.flag());
      if (s.isSwitch()) {
        option.arity("0").type(boolean.class).description(s.description() + " (env " + s.environmentVariable() + ")");
      } else {
        String shown = s.isSecret() ? "" : " (default: " + s.defaultValue() + ")";
        option.arity("1").type(String.class).paramLabel(s.key().toUpperCase(java.util.Locale.ROOT).replace('-', '_'))
            .description(s.description() + shown + " (env " + s.environmentVariable() + ")");
      }
      spec.addOption(option.build());
    }
    return spec;
  }

  private static Map<Setting, String> flags(ParseResult parsed) {
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      if (!parsed.hasMatchedOption(s.flag())) continue;
      flags.put(s, s.isSwitch() ? "true" : parsed.matchedOptionValue(s.flag(), ""));
    }
    return flags;
  }
}

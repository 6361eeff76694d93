package dev.mileage.gateway.sip;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.points.metering.Meter;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The SIP call gateway as a feature: schema {@code sip} (subscribers), the SIP verticle (B2BUA on
 * jain-sip, UDP and TCP on {@code --sip-port}), and operator routes under {@code /api/v1/sip}.
 * The meter comes from the metering feature (started before this one in the feature list).
 * Trunk credentials, if the trunk challenges, come from {@code MILEAGE_TRUNK_USER}/{@code MILEAGE_TRUNK_PASSWORD}.
 * {@code MILEAGE_SIP_MD5_FIRST=true} lists the MD5 challenge before SHA-256, for clients such as SIPp 3.6
 * that answer only the first challenge and know only MD5 ({@link SipOptions#sha256First}).
 */
public final class SipFeature implements Feature {
  public static final String NAME = "sip";
  /** Set to {@code true}: MD5 challenge first (SIPp); the default is SHA-256 first (RFC 8760). */
  public static final String MD5_FIRST_ENVIRONMENT = "MILEAGE_SIP_MD5_FIRST";
  /** Overload control's queue-wait limit in milliseconds ({@link OverloadGate}, default 100). */
  public static final String OVERLOAD_DELAY_ENVIRONMENT = "MILEAGE_SIP_OVERLOAD_DELAY_MS";

  private final Supplier<Meter> meter;
  private final Function<GatewayConfig, SipOptions> optionsOf;
  private SubscriberStore subscribers;
  private SipVerticle verticle;
  private BrowserCalls browser;

  public SipFeature(Supplier<Meter> meter) {
    this(meter, SipFeature::defaultOptions);
  }

  /** The usual wiring: calls are charged by the metering feature's meter (listed before this feature). */
  public SipFeature(dev.mileage.gateway.metering.MeteringFeature metering) {
    this(() -> metering.meter().orElseThrow(() -> new IllegalStateException(
        "the metering feature must start before the SIP feature")));
  }

  public SipFeature(Supplier<Meter> meter, Function<GatewayConfig, SipOptions> optionsOf) {
    this.meter = Objects.requireNonNull(meter, "meter");
    this.optionsOf = Objects.requireNonNull(optionsOf, "optionsOf");
  }

  /** The usual wiring plus browser calls (SIP over WebSocket, WebRTC media) from the webrtc package. */
  public SipFeature(dev.mileage.gateway.metering.MeteringFeature metering, BrowserCalls browser) {
    this(metering);
    this.browser = Objects.requireNonNull(browser, "browser");
  }

  /** Adds browser calls to a feature built with its own options (tests); call before the gateway starts. */
  public synchronized SipFeature withBrowserCalls(BrowserCalls browser) {
    this.browser = Objects.requireNonNull(browser, "browser");
    return this;
  }

  public synchronized Optional<BrowserCalls> browserCalls() {
    return Optional.ofNullable(browser);
  }

  public static SipOptions defaultOptions(GatewayConfig config) {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    SipOptions o = SipOptions.defaults(host, config.sipPort(), config.trunkUri());
    String user = System.getenv("MILEAGE_TRUNK_USER");
    String password = System.getenv("MILEAGE_TRUNK_PASSWORD");
    if (user != null && !user.isEmpty() && password != null) o = o.withTrunkCredentials(user, password);
    if ("true".equalsIgnoreCase(System.getenv(MD5_FIRST_ENVIRONMENT))) o = o.withSha256First(false);
    return o.withOverloadDelay(overloadDelay(System.getenv(OVERLOAD_DELAY_ENVIRONMENT)));
  }

  /** {@link #OVERLOAD_DELAY_ENVIRONMENT}'s value: unset or blank is the default; anything but 1 ms or more is refused. */
  static java.time.Duration overloadDelay(String milliseconds) {
    if (milliseconds == null || milliseconds.isBlank()) return OverloadGate.DELAY_DEFAULT;
    long ms;
    try {
      ms = Long.parseLong(milliseconds.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(OVERLOAD_DELAY_ENVIRONMENT + " must be a number of milliseconds, not "
          + milliseconds, e);
    }
    if (ms < 1 || ms > 60_000) throw new IllegalArgumentException(OVERLOAD_DELAY_ENVIRONMENT + " must be 1 to 60000 ms");
    return java.time.Duration.ofMillis(ms);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  /** The subscriber store (SIP usernames, digest HA1s, temporary web-phone credentials). */
  public SubscriberStore subscribers(GatewayContext context) {
    return store(context);
  }

  private synchronized SubscriberStore store(GatewayContext context) {
    if (subscribers == null) {
      subscribers = new SubscriberStore(context.pool(), optionsOf.apply(context.config()).realm(), context.clock());
    }
    return subscribers;
  }

  @Override
  public void mountApi(Router api, GatewayContext context) {
    new SipApi(store(context), this::service, context).mount(api);
  }

  @Override
  public synchronized List<Deployable> verticles(GatewayContext context) {
    if (browser != null) browser.configure(context.config(), context.clock(), context.vertx());
    verticle = new SipVerticle(optionsOf.apply(context.config()), store(context), meter, context.clock(), browser);
    for (OverloadGate.Signal signal : OverloadGate.Signal.values()) {
      io.micrometer.core.instrument.FunctionCounter.builder("sip_overload_refused", verticle,
              v -> v.gate().refused(signal))
          .tag("signal", signal.name().toLowerCase(java.util.Locale.ROOT))
          .description("new calls and registrations refused with 503 by overload control, by the signal that decided")
          .register(context.metrics());
    }
    return List.of(verticle);
  }

  @Override
  public List<String> banner(GatewayContext context) {
    SipVerticle v;
    BrowserCalls b;
    synchronized (this) {
      v = verticle;
      b = browser;
    }
    if (v == null) return List.of();
    List<String> lines = new java.util.ArrayList<>();
    lines.add("SIP:       sip:" + v.host() + ":" + v.port() + " (UDP/TCP), trunk " + context.config().trunkUri());
    if (b != null) lines.addAll(b.banner());
    return List.copyOf(lines);
  }

  /** The running SIP side (after the gateway started); empty before. */
  public synchronized Optional<SipService> service() {
    return Optional.ofNullable(verticle);
  }

  /**
   * Creates or updates a subscriber (what demo seeding calls): SIP {@code username} with {@code password}
   * for the ledger owner {@code owner} (e.g. {@code member:42}).
   */
  public Future<SubscriberStore.ProvisionResult> provision(GatewayContext context, String owner, String username,
                                                           String password) {
    return store(context).provision(owner, username, password);
  }
}

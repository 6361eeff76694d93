package dev.mileage.gateway;

import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.HttpApi;
import dev.mileage.gateway.http.OperatorStore;
import dev.mileage.gateway.ledger.LedgerRuntime;
import dev.mileage.gateway.ledger.Ledgers;
import dev.mileage.points.store.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running gateway: database, pool, ledger, features, HTTP. {@link #start()} blocks until every part
 * serves (or throws, leaving nothing running after {@link #stop()}); {@link #stop()} takes them down in
 * reverse order and is safe to call twice.
 */
public final class GatewayApp {
  private static final Logger LOG = Logger.getLogger(GatewayApp.class.getName());
  static final Duration START_STEP_TIMEOUT = Duration.ofSeconds(120);
  static final Duration STOP_STEP_TIMEOUT = Duration.ofSeconds(20);
  /** Connections of the shared pool: features and the operator table; the ledger has its own. */
  public static final int POOL_CONNECTIONS_MAX = 16;
  /** The gateway's own schema: operators. */
  public static final String SCHEMA = "gateway";

  private final GatewayConfig config;
  private final List<Feature> features;
  private final Clock clock;
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<String> deployments = new ArrayList<>();

  private Vertx vertx;
  private Database database;
  private Pool pool;
  private LedgerRuntime ledger;
  private HttpServer httpServer;
  private GatewayContext context;
  private boolean stopped;

  public GatewayApp(GatewayConfig config, List<Feature> features) {
    this(config, features, Clock.systemUTC());
  }

  public GatewayApp(GatewayConfig config, List<Feature> features, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.features = List.copyOf(features);
    this.clock = Objects.requireNonNull(clock, "clock");
    long distinct = this.features.stream().map(Feature::name).distinct().count();
    if (distinct != this.features.size()) throw new IllegalArgumentException("feature names must be unique");
  }

  public synchronized void start() throws Exception {
    LOG.info(() -> "starting: " + config);
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ClassLoaderMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .addLabels(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.HTTP_METHOD)
            // every call opens two RTCP datagram sockets: per-socket meters cost CPU per call and say
            // nothing the media counters (MediaCounters, exported as gauges by WebPhoneFeature) do not
            .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)))
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .build();

    database = config.databaseUrl().isPresent()
        ? Database.external(config.databaseUrl().get())
        : Database.embedded(config.dataDir());
    LOG.info(() -> "database: " + database.connection() + (database.isEmbedded() ? " (embedded)" : ""));
    database.migrate(SCHEMA);
    for (Feature f : features) if (f.hasSchema()) database.migrate(f.name());

    Database.ConnectionInfo c = database.connection();
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(POOL_CONNECTIONS_MAX).setName("gateway"))
        .connectingTo(new PgConnectOptions().setHost(c.host()).setPort(c.port()).setDatabase(c.database())
            .setUser(c.user()).setPassword(c.password()))
        .using(vertx)
        .build();

    ledger = await(Ledgers.start(vertx, database, clock));
    Gauge.builder("ledger_queue_depth", ledger, LedgerRuntime::queueDepth)
        .description("transfers waiting for the ledger writer").register(metrics);
    Ledgers.bindMetrics(ledger, metrics);

    context = new GatewayContext(vertx, ledger.ledger(), pool, config, clock, metrics);
    OperatorStore operators = new OperatorStore(pool, vertx);
    await(operators.ensureOperator(config.operatorUser(), config.operatorPassword(), OperatorStore.ROLES_ALL));

    for (Feature f : features) f.start(context);
    List<Authenticator> authenticators = new ArrayList<>();
    for (Feature f : features) authenticators.addAll(f.authenticators(context));
    HttpApi api = new HttpApi(context, operators, authenticators, metrics);
    io.vertx.ext.web.Router router = await(api.router(features));

    for (Feature f : features) {
      for (Deployable verticle : f.verticles(context)) {
        deployments.add(await(vertx.deployVerticle(verticle)));
      }
    }
    httpServer = await(vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.httpPort())
            .setMaxHeaderSize(HttpApi.HEADER_BYTES_MAX).setIdleTimeout(HttpApi.IDLE_TIMEOUT_SECONDS))
        .requestHandler(router).listen());
    LOG.info(() -> "serving HTTP on " + config.host() + ":" + httpServer.actualPort());
    for (Feature f : features) f.listening(context, httpServer.actualPort());
    if (!isLoopback(config.host())) {
      LOG.warning("HTTP is plain text on a non-loopback address: put a TLS-terminating proxy in front, "
          + "credentials travel in every API request");
    }
  }

  public synchronized void stop() {
    if (stopped) return;
    stopped = true;
    LOG.info("stopping");
    if (httpServer != null) quietly("HTTP server", httpServer.close());
    for (int i = deployments.size() - 1; i >= 0; i--) quietly("verticle", vertx.undeploy(deployments.get(i)));
    if (ledger != null) quietly("ledger", Future.fromCompletionStage(ledger.close()));
    if (pool != null) quietly("pool", pool.close());
    if (vertx != null) quietly("vert.x", vertx.close());
    if (database != null) {
      try {
        database.close();
      } catch (Exception e) {
        LOG.log(Level.WARNING, "database did not stop cleanly", e);
      }
    }
    metrics.close();
    LOG.info("stopped");
  }

  /** The features' start-up banner lines, in feature order. */
  public List<String> bannerLines() {
    List<String> lines = new ArrayList<>();
    for (Feature f : features) lines.addAll(f.banner(context));
    return lines;
  }

  public int httpPort() {
    return httpServer == null ? -1 : httpServer.actualPort();
  }

  public GatewayContext context() {
    return context;
  }

  public Database database() {
    return database;
  }

  public String databaseDescription() {
    return database == null ? "not started" : database.connection() + (database.isEmbedded()
        ? " (embedded, data in " + config.dataDir().toAbsolutePath().normalize() + ")" : "");
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(START_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(START_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void quietly(String what, Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, what + " did not stop cleanly", e);
    }
  }
}

package dev.mileage.gateway.http;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one HTTP router: security headers and body limit for everything, {@code /health}, {@code /metrics} (token or
 * loopback: {@link MetricsAccess}),
 * {@code /openapi.yaml}, {@code /api/v1} (authenticated, validated against the OpenAPI document, then the
 * features' routes), the features' root routes, and the web page from the classpath {@code webroot/}.
 */
public final class HttpApi {
  /** Largest request body: a full ledger batch of {@code Ledger.BATCH_MAX} transfers fits. */
  public static final long BODY_BYTES_MAX = 4L * 1024 * 1024;
  /**
   * Largest body outside {@code /api/v1}: sign-up and sign-in, gift declines and the bank's signed notices, all
   * small and all open to anyone, so nobody makes the gateway buffer megabytes without credentials.
   */
  public static final long PUBLIC_BODY_BYTES_MAX = 64 * 1024;
  public static final int HEADER_BYTES_MAX = 16 * 1024;
  /** Connections idle this long are closed: slow clients cannot hold sockets forever. */
  public static final int IDLE_TIMEOUT_SECONDS = 120;
  public static final String API_PREFIX = "/api/v1";
  public static final String OPENAPI_RESOURCE = "openapi.yaml";

  private final GatewayContext context;
  private final List<Authenticator> authenticators;
  private final PrometheusMeterRegistry metrics;
  /** Guesses per source at operator credentials: Basic passwords and the metrics token add up. */
  private final FailureLimiter operatorFailures;

  public HttpApi(GatewayContext context, OperatorStore operators, List<Authenticator> featureAuthenticators,
                 PrometheusMeterRegistry metrics) {
    this.context = context;
    this.operatorFailures = new FailureLimiter(context.clock());
    List<Authenticator> all = new ArrayList<>();
    all.add(new OperatorAuthenticator(operators, context.vertx(), context.clock(), context.pool(), operatorFailures));
    all.addAll(featureAuthenticators);
    this.authenticators = List.copyOf(all);
    this.metrics = metrics;
  }

  public Future<Router> router(List<Feature> features) {
    Buffer openApiText = Buffer.buffer(resource(OPENAPI_RESOURCE));
    return OpenAPIContract.from(context.vertx(), OPENAPI_RESOURCE).map(contract -> {
      Router root = Router.router(context.vertx());
      // first: every limit below keys on the address worked out here
      root.route().handler(ClientAddress.resolver(context.config().trustedProxies()));
      root.route().handler(SecurityHeaders::apply);
      // large bodies only after the caller is known and allowed (the body handler below then skips them)
      AuthenticationHandler authentication = new AuthenticationHandler(authenticators, metrics);
      for (Feature f : features) {
        for (LargeBody large : f.largeBodies()) {
          root.route(large.method(), API_PREFIX + large.path()).handler(authentication).handler(Access.role(large.role()));
          root.route(large.method(), API_PREFIX + large.path()).handler(BodyHandler.create(false).setBodyLimit(large.bytesMax()));
        }
      }
      // the API's callers are known before any of a body is read (the API router's own check then passes them)
      root.route(API_PREFIX + "/*").handler(ctx -> {
        ctx.request().pause(); // the body waits while credentials are checked (asynchronously); BodyHandler resumes it
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
      }).handler(authentication);
      root.route(API_PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(BODY_BYTES_MAX));
      root.route().handler(BodyHandler.create(false).setBodyLimit(PUBLIC_BODY_BYTES_MAX));
      Health health = new Health(context.pool(),
          context.ledger() instanceof dev.mileage.points.ledger.ManagedLedger m ? m::writing : () -> true);
      root.get("/health").handler(health::handle);
      root.get("/metrics").handler(new MetricsAccess(context.config().metricsToken(), context.config().trustedProxies(),
          operatorFailures, metrics)).handler(PrometheusScrapingHandler.create(metrics));
      root.get("/openapi.yaml").handler(ctx -> ctx.response()
          .putHeader("Content-Type", "application/yaml; charset=utf-8").end(openApiText));

      Router api = Router.router(context.vertx());
      api.route().handler(ctx -> {
        ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
      });
      api.route().handler(new AuthenticationHandler(authenticators, metrics));
      api.route().handler(new OpenApiValidation(context.vertx(), contract));
      api.get("/me").handler(HttpApi::me);
      for (Feature f : features) f.mountApi(api, context);
      warnUndocumented(api, contract);
      api.route().handler(ctx -> Errors.notFound(ctx, "no such API resource: " + ctx.request().method() + " "
          + ctx.normalizedPath()));
      api.route().failureHandler(Errors::fromFailure);
      root.route(API_PREFIX + "/*").subRouter(api);

      for (Feature f : features) f.mountRoot(root, context);
      root.route().handler(StaticHandler.create("webroot").setIndexPage("index.html").setCachingEnabled(false));
      root.route().failureHandler(Errors::fromFailure);
      return root;
    });
  }

  /** Routes the OpenAPI document does not describe are not validated: say so at start, once. */
  private static void warnUndocumented(Router api, OpenAPIContract contract) {
    List<String> undocumented = new ArrayList<>();
    for (io.vertx.ext.web.Route route : api.getRoutes()) {
      String path = route.getPath();
      if (path == null || route.methods() == null || route.methods().isEmpty()) continue;
      String openApiPath = API_PREFIX + path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      if (contract.findPath(API_PREFIX + path.replaceAll(":([A-Za-z0-9_]+)", "x")) == null) {
        undocumented.add(route.methods() + " " + openApiPath);
      }
    }
    if (!undocumented.isEmpty()) {
      java.util.logging.Logger.getLogger(HttpApi.class.getName()).warning(
          "API routes missing from openapi.yaml (not validated): " + undocumented);
    }
  }

  /** Who the credentials belong to: lets a client check them without touching anything. */
  private static void me(io.vertx.ext.web.RoutingContext ctx) {
    Caller caller = Caller.of(ctx).orElseThrow();
    ctx.response().putHeader("Content-Type", "application/json").end(new io.vertx.core.json.JsonObject()
        .put("kind", caller.kind().name()).put("id", caller.id()).put("owner", caller.owner())
        .put("roles", new io.vertx.core.json.JsonArray(caller.roles().stream().sorted().toList())).encode());
  }

  private static byte[] resource(String name) {
    try (InputStream in = HttpApi.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing classpath resource " + name);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

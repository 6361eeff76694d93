package dev.mileage.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A real gateway (embedded PostgreSQL in a temp folder, HTTP on a free loopback port) and a client for it. */
public final class TestGateway implements AutoCloseable {
  public static final String OPERATOR = "operator";
  public static final String PASSWORD = "test-operator-password";
  /** Client connections at once, enough for the concurrency tests. */
  public static final int CONNECTIONS_MAX = 64;

  public final GatewayApp app;
  public final Vertx clientVertx = Vertx.vertx();
  public final WebClient client;

  public TestGateway(Path dataDir, List<Feature> features, Clock clock) throws Exception {
    this(config(dataDir), features, clock);
  }

  /** The test settings on {@code dataDir}: loopback, any free ports, demo data, the test operator. */
  public static GatewayConfig config(Path dataDir) {
    return new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), false, true, OPERATOR,
        PASSWORD, "sip:pstn@127.0.0.1:5080");
  }

  public TestGateway(GatewayConfig config, List<Feature> features, Clock clock) throws Exception {
    app = new GatewayApp(config, features, clock);
    try {
      app.start();
    } catch (Exception e) {
      app.stop();
      clientVertx.close();
      throw e;
    }
    client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(app.httpPort()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(CONNECTIONS_MAX));
  }

  public TestGateway(Path dataDir) throws Exception {
    this(dataDir, Features.all(), Clock.systemUTC());
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String user, String password, Buffer body)
      throws Exception {
    var request = client.request(method, path);
    if (user != null) request.basicAuthentication(user, password);
    var future = body == null ? request.send() : request.putHeader("Content-Type", "application/json").sendBuffer(body);
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  public HttpResponse<Buffer> get(String path) throws Exception {
    return send(HttpMethod.GET, path, OPERATOR, PASSWORD, null);
  }

  public HttpResponse<Buffer> post(String path, Object json) throws Exception {
    return send(HttpMethod.POST, path, OPERATOR, PASSWORD, Buffer.buffer(json.toString()));
  }

  @Override
  public void close() {
    client.close();
    clientVertx.close();
    app.stop();
  }
}

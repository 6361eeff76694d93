package dev.mileage.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The running gateway over real HTTP: health, metrics, OpenAPI document, authentication, error shapes. */
class GatewayHttpTest {
  @TempDir
  static Path dataDir;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway(dataDir);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  @Test
  void healthReportsDatabaseReachable() throws Exception {
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, "/health", null, null, null);
    assertEquals(200, r.statusCode());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"));
    assertEquals(true, body.getJsonObject("database").getBoolean("reachable"));
    assertEquals(true, body.getJsonObject("ledger").getBoolean("writing"));
    assertEquals(java.util.Set.of("status", "database", "ledger"), body.fieldNames(), "no load figures in the public answer: " + body);
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options"));
    assertEquals("DENY", r.getHeader("X-Frame-Options"));
  }

  @Test
  void metricsArePrometheusTextWithJvmAndHttpFigures() throws Exception {
    gateway.send(HttpMethod.GET, "/health", null, null, null);
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, "/metrics", null, null, null);
    assertEquals(200, r.statusCode());
    String text = r.bodyAsString();
    assertTrue(text.contains("jvm_memory_used_bytes"), "JVM memory");
    assertTrue(text.contains("vertx_http_server_requests_total"), "HTTP requests");
    assertTrue(text.contains("ledger_queue_depth"), "ledger queue depth");
    assertTrue(text.contains("ledger_transfers_committed_total"), "ledger counters");
    assertTrue(text.contains("route=\"/health\""), "requests by route");
  }

  @Test
  void openApiDocumentIsServed() throws Exception {
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, "/openapi.yaml", null, null, null);
    assertEquals(200, r.statusCode());
    assertTrue(r.bodyAsString().startsWith("openapi: 3."));
  }

  @Test
  void apiWithoutCredentialsIs401WithReason() throws Exception {
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, "/api/v1/ledger/point-types", null, null, null);
    assertEquals(401, r.statusCode());
    assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
    assertEquals("credentials required", r.bodyAsJsonObject().getString("reason"));
    assertNotNull(r.getHeader("WWW-Authenticate"));
  }

  @Test
  void wrongPasswordAndUnknownUserGetIdenticalAnswers() throws Exception {
    HttpResponse<Buffer> wrong = gateway.send(HttpMethod.GET, "/api/v1/ledger/point-types", TestGateway.OPERATOR,
        "not-the-password", null);
    HttpResponse<Buffer> unknown = gateway.send(HttpMethod.GET, "/api/v1/ledger/point-types", "nobody",
        "not-the-password", null);
    assertEquals(401, wrong.statusCode());
    assertEquals(401, unknown.statusCode());
    assertEquals(wrong.bodyAsString(), unknown.bodyAsString());
    String metrics = gateway.send(HttpMethod.GET, "/metrics", null, null, null).bodyAsString();
    assertTrue(metrics.contains("gateway_auth_refused_total{status=\"401\"}"), "refusals are counted");
  }

  @Test
  void malformedAuthorizationHeaderIs401() throws Exception {
    HttpResponse<Buffer> r = gateway.client.get("/api/v1/ledger/point-types").putHeader("Authorization", "Basic !!!")
        .send().toCompletionStage().toCompletableFuture().get();
    assertEquals(401, r.statusCode());
    assertEquals("invalid credentials", r.bodyAsJsonObject().getString("reason"));
  }

  @Test
  void unknownApiPathIsJson404ForAnAuthenticatedOperator() throws Exception {
    HttpResponse<Buffer> r = gateway.get("/api/v1/no-such-thing");
    assertEquals(404, r.statusCode());
    assertEquals("not_found", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void aBurstOfFirstRequestsWithTheSameCredentialsIsVerifiedOnceAndAllPass() throws Exception {
    new dev.mileage.gateway.http.OperatorStore(gateway.app.context().pool(), gateway.app.context().vertx())
        .ensureOperator("burst", "burst-password-1", java.util.Set.of("operator"))
        .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<Buffer>>> burst = new java.util.ArrayList<>();
    for (int i = 0; i < 4 * dev.mileage.gateway.http.OperatorAuthenticator.VERIFICATIONS_IN_FLIGHT_MAX; i++) {
      burst.add(gateway.client.get("/api/v1/me").basicAuthentication("burst", "burst-password-1").send()
          .toCompletionStage().toCompletableFuture());
    }
    for (var response : burst) assertEquals(200, response.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    Buffer big = Buffer.buffer(new byte[(int) dev.mileage.gateway.http.HttpApi.BODY_BYTES_MAX + 1]);
    HttpResponse<Buffer> r = gateway.send(HttpMethod.POST, "/api/v1/ledger/transfers", TestGateway.OPERATOR,
        TestGateway.PASSWORD, big);
    assertEquals(413, r.statusCode());
  }
}

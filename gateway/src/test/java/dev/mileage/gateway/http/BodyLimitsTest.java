package dev.mileage.gateway.http;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nobody without credentials makes the gateway buffer a large body: API requests are authenticated before their
 * body is read (an anonymous 5 MiB request is refused 401, not read up to the 4 MiB limit), and the public routes
 * outside /api/v1 (sign-in, sign-up, webhooks) take at most 64 KiB. Known callers keep the API's 4 MiB.
 */
class BodyLimitsTest {
  static final int MIB = 1024 * 1024;
  @TempDir
  static Path dataDir;
  static TestGateway g;

  @BeforeAll
  static void start() throws Exception {
    g = new TestGateway(dataDir, List.of(new LedgerFeature(), new MembersFeature(MembersOptions.defaults(),
        new PasswordHasher(8 * 1024, 1, 1))), new MutableClock(Instant.now()));
  }

  @AfterAll
  static void stop() {
    if (g != null) g.close();
  }

  /** A JSON object of about {@code bytes} bytes. */
  static Buffer padded(JsonObject base, int bytes) {
    return Buffer.buffer(base.copy().put("padding", "x".repeat(bytes)).encode());
  }

  static HttpResponse<Buffer> post(String path, Buffer body) throws Exception {
    return g.client.request(HttpMethod.POST, path).putHeader("Content-Type", "application/json").sendBuffer(body)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void anonymousApiRequestsAreRefusedBeforeTheirBodyIsRead() throws Exception {
    var r = post("/api/v1/ledger/transfers", padded(new JsonObject(), 5 * MIB));
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    // a known caller still gets the API's limit: 1 MiB is read (and validated), 5 MiB is too large
    var known = g.send(HttpMethod.POST, "/api/v1/ledger/transfers", TestGateway.OPERATOR, TestGateway.PASSWORD,
        padded(new JsonObject(), MIB));
    assertEquals(400, known.statusCode(), known.bodyAsString());
    var tooLarge = g.send(HttpMethod.POST, "/api/v1/ledger/transfers", TestGateway.OPERATOR, TestGateway.PASSWORD,
        padded(new JsonObject(), 5 * MIB));
    assertEquals(413, tooLarge.statusCode(), tooLarge.bodyAsString());
  }

  @Test
  void publicRoutesTakeSmallBodiesOnly() throws Exception {
    JsonObject signIn = new JsonObject().put("loginId", "nobody").put("password", "not-a-password");
    var r = post("/auth/sign-in", padded(signIn, MIB));
    assertEquals(413, r.statusCode(), r.bodyAsString());
    assertEquals("body_too_large", r.bodyAsJsonObject().getString("error"));
    // an ordinary sign-in is unaffected
    assertEquals(401, post("/auth/sign-in", Buffer.buffer(signIn.encode())).statusCode());
  }
}

package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.TrunkOptions;
import dev.mileage.fixtures.sip.UacCall;
import dev.mileage.gateway.Features;
import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.Tariff;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SIP feature inside the real gateway (GatewayApp, metering feature, operator HTTP API). */
class SipGatewayTest {
  static final String OPERATOR = "operator";
  static final String OPERATOR_PASSWORD = "sip-test-operator-password";
  @TempDir
  static Path dataDir;
  static SimulatedTrunk trunk;
  static GatewayApp app;
  static SipFeature sip;
  static MeteringFeature metering = new MeteringFeature();
  static Vertx clientVertx = Vertx.vertx();
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    trunk = SimulatedTrunk.start(TrunkOptions.defaults());
    GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), false, true, OPERATOR,
        OPERATOR_PASSWORD, trunk.uri());
    sip = new SipFeature(metering);
    List<dev.mileage.gateway.Feature> features = new ArrayList<>(Features.all(metering, sip));
    app = new GatewayApp(config, features, Clock.systemUTC());
    app.start();
    client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()));
    await(metering.meter().orElseThrow().tariffs().putCallRate(CallRate.rated("1555", "demo", Tariff.of(60, 1, 1, 0))));
    Ledger ledger = app.context().ledger();
    Account issuer = await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    Account alice = await(ledger.openAccount("member:1", StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    await(ledger.submit(Transfer.single(Transfer.idOf("test:sip-gateway:fund"), issuer.id(), alice.id(), 600,
        TransferCodes.SIGN_UP_BONUS, "test")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    clientVertx.close();
    if (app != null) app.stop();
    if (trunk != null) trunk.close();
  }

  static <T> T await(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body, boolean asOperator) throws Exception {
    var request = client.request(method, path);
    if (asOperator) request.basicAuthentication(OPERATOR, OPERATOR_PASSWORD);
    var f = body == null ? request.send() : request.putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer());
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void operatorProvisionsAMemberWhoCallsAndTheOperatorEndsTheCall() throws Exception {
    JsonObject alice = new JsonObject().put("owner", "member:1").put("username", "alice").put("password", "phone-secret-1");
    assertEquals(401, send(HttpMethod.POST, "/api/v1/sip/subscribers", alice, false).statusCode());
    HttpResponse<Buffer> created = send(HttpMethod.POST, "/api/v1/sip/subscribers", alice, true);
    assertEquals(201, created.statusCode(), created.bodyAsString());
    assertTrue(!created.bodyAsString().contains("phone-secret-1"), "the password never comes back");
    HttpResponse<Buffer> weak = send(HttpMethod.POST, "/api/v1/sip/subscribers",
        alice.copy().put("username", "alice2").put("password", "short"), true);
    assertEquals(400, weak.statusCode());
    assertEquals("invalid_request", weak.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> taken = send(HttpMethod.POST, "/api/v1/sip/subscribers",
        alice.copy().put("owner", "member:2"), true);
    assertEquals(409, taken.statusCode(), "nobody takes over another member's SIP username");

    int sipPort = sip.service().orElseThrow().port();
    try (TestUac uac = TestUac.start(TestUac.Options.to("127.0.0.1", sipPort, "alice", "phone-secret-1"))) {
      UacCall call = uac.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT));
      JsonArray calls = send(HttpMethod.GET, "/api/v1/sip/calls", null, true).bodyAsJsonObject().getJsonArray("calls");
      assertEquals(1, calls.size());
      assertEquals("member:1", calls.getJsonObject(0).getString("owner"));
      String id = calls.getJsonObject(0).getString("id");
      assertEquals(404, send(HttpMethod.DELETE, "/api/v1/sip/calls/nope", null, true).statusCode());
      assertEquals(204, send(HttpMethod.DELETE, "/api/v1/sip/calls/" + id, null, true).statusCode());
      assertTrue(call.awaitBye(WAIT));
      JsonArray cdrs = new JsonArray();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (cdrs.isEmpty() && System.nanoTime() < deadline) {
        cdrs = send(HttpMethod.GET, "/api/v1/sip/cdrs?owner=member:1", null, true).bodyAsJsonObject().getJsonArray("cdrs");
        Thread.sleep(50);
      }
      assertEquals(1, cdrs.size());
      assertEquals("OPERATOR", cdrs.getJsonObject(0).getString("reason"));
      assertEquals(call.callId(), cdrs.getJsonObject(0).getString("reference"));
      assertEquals(400, send(HttpMethod.GET, "/api/v1/sip/cdrs?limit=0", null, true).statusCode());
    }
  }
}

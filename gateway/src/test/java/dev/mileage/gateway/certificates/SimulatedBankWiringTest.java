package dev.mileage.gateway.certificates;

import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SmsSender;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's wiring: with no bank provider configured the feature starts the simulated one on loopback, which takes
 * the gateway's return instructions and posts its settlement notices back to the gateway's HTTP port: the configured
 * one, or the one the gateway got when asked for any free port (0).
 */
class SimulatedBankWiringTest {
  @TempDir
  Path dataDir;

  @Test
  void withoutABankUrlTheSimulatedProviderReturnsDepositsEndToEnd() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // a configured port, as the demo has (8080), but free here
    }
    returnsEndToEnd(port);
  }

  @Test
  void onAnyFreePortTheNoticesFindTheGatewayToo() throws Exception {
    returnsEndToEnd(0);
  }

  private void returnsEndToEnd(int configuredPort) throws Exception {
    var payments = new SandboxPaymentProvider();
    var feature = new CertificatesFeature(CertificatesOptions.defaults().withBank("", "", Duration.ofSeconds(5)), payments,
        (to, text) -> Future.succeededFuture(SmsSender.Result.UNREACHABLE), new PasswordHasher(CertificatesOptions.PIN_HASH_MEMORY_KIB, 1, 1));
    var config = new dev.mileage.gateway.GatewayConfig("127.0.0.1", configuredPort, 0, dataDir, java.util.Optional.empty(), false, true,
        TestGateway.OPERATOR, TestGateway.PASSWORD, "sip:pstn@127.0.0.1:5080");
    var app = new dev.mileage.gateway.GatewayApp(config, List.of(new LedgerFeature(), feature));
    try {
      app.start();
      int port = app.httpPort();
      var client = io.vertx.ext.web.client.WebClient.create(app.context().vertx());
      var notice = payments.simulateDeposit("sbx_bt_nobody", 7_000).orElseThrow();
      var answer = client.post(port, "127.0.0.1", "/certificates/bank-transfers/deposits")
          .putHeader(BankTransferRoutes.SIGNATURE_HEADER, notice.signature()).putHeader("Content-Type", "application/json")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer(notice.payload())).toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(404, answer.statusCode(), answer.bodyAsString());
      long id = answer.bodyAsJsonObject().getJsonObject("depositReturn").getLong("id");
      Instant deadline = Instant.now().plusSeconds(30);
      JsonObject row = null;
      while (Instant.now().isBefore(deadline)) {
        var list = client.get(port, "127.0.0.1", "/api/v1/certificates/admin/deposit-returns?status=CONFIRMED")
            .basicAuthentication(TestGateway.OPERATOR, TestGateway.PASSWORD).send().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        row = check(list, 200).bodyAsJsonObject().getJsonArray("returns").stream().map(o -> (JsonObject) o)
            .filter(r -> r.getLong("id") == id).findFirst().orElse(null);
        if (row != null) break;
        Thread.sleep(50);
      }
      assertTrue(row != null, "the simulated provider confirmed the return within 30 s");
      assertTrue(row.getString("returnReference").startsWith("sbx_rt_"), row.encode());
      assertEquals(ReturnDispatcher.CONFIRMED_BY_PROVIDER, row.getString("confirmedBy"));
      client.close();
    } finally {
      app.stop();
    }
  }
}

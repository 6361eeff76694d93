package dev.mileage.gateway.certificates;

import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** An owed deposit survives a gateway restart: the provider's re-sent notice gets the first answer, and it can be confirmed. */
class DepositReturnRestartTest {
  @TempDir
  Path dataDir;

  @Test
  void aReturnOwedBeforeARestartIsAnsweredAndConfirmedAfterIt() throws Exception {
    var payments = new SandboxPaymentProvider(); // the provider (and its webhook key) outlives the gateway
    String login = "dr-restart";
    String phone = CertHarness.newPhone();
    String firstAnswer;
    long purchaseId;
    PaymentProvider.DepositNotice wrong;
    try (CertHarness first = new CertHarness(dataDir, payments)) {
      var buyer = first.new Member(login, phone).ready();
      JsonObject order = check(buyer.buy(UUID.randomUUID().toString(), first.item("Culture Pass", 5_000), 1, "BANK_TRANSFER", null), 202)
          .bodyAsJsonObject();
      purchaseId = order.getLong("id");
      wrong = payments.simulateDeposit(order.getJsonObject("bankTransfer").getString("reference"), 4_000).orElseThrow();
      firstAnswer = check(first.postNotice(wrong), 422).bodyAsString();
    }
    try (CertHarness second = new CertHarness(dataDir, payments)) {
      assertEquals(firstAnswer, check(second.postNotice(wrong), 422).bodyAsString(), "the re-sent notice after a restart");
      var buyer = second.new Member(login, phone).signIn();
      JsonObject owed = check(buyer.get("/api/v1/certificates/purchases/" + purchaseId), 200).bodyAsJsonObject()
          .getJsonArray("depositReturns").getJsonObject(0);
      assertEquals("OWED", owed.getString("status"));
      long id = new JsonObject(firstAnswer).getJsonObject("depositReturn").getLong("id");
      assertEquals(1, check(second.gateway.get("/api/v1/certificates/admin/deposit-returns"), 200).bodyAsJsonObject()
          .getJsonArray("returns").size());
      check(second.gateway.send(HttpMethod.POST, "/api/v1/certificates/admin/deposit-returns/" + id + "/confirm", TestGateway.OPERATOR,
          TestGateway.PASSWORD, Buffer.buffer(new JsonObject().put("returnReference", "RT-AFTER-RESTART").encode())), 200);
      assertEquals("RETURNED", check(buyer.get("/api/v1/certificates/purchases/" + purchaseId), 200).bodyAsJsonObject()
          .getJsonArray("depositReturns").getJsonObject(0).getString("status"));
      assertEquals("AWAITING_DEPOSIT", check(buyer.get("/api/v1/certificates/purchases/" + purchaseId), 200).bodyAsJsonObject()
          .getString("status"));
    }
  }
}

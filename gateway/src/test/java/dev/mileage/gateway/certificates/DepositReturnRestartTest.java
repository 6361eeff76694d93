package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A gateway that stops while the bank provider is taking a return instruction (the provider did the work; its answer
 * never arrived): after the restart the provider's re-sent deposit notice gets the first answer, the return is sent
 * again under the same instruction id, and the money goes back once.
 */
class DepositReturnRestartTest {
  @TempDir
  Path dataDir;

  @Test
  void aReturnInFlightAtARestartIsSentAgainAndReturnedOnce() throws Exception {
    var payments = new SandboxPaymentProvider(); // the providers (and their keys) outlive the gateway
    try (CertHarness.Bank bank = new CertHarness.Bank()) {
      String login = "dr-restart";
      String phone = CertHarness.newPhone();
      String firstAnswer;
      long purchaseId;
      long returnId;
      PaymentProvider.DepositNotice wrong;
      bank.sim.holdNotices(true);
      bank.sim.loseAnswers(1);
      try (CertHarness first = new CertHarness(dataDir, payments, bank)) {
        var buyer = first.new Member(login, phone).ready();
        JsonObject order = check(buyer.buy(UUID.randomUUID().toString(), first.item("Culture Pass", 5_000), 1, "BANK_TRANSFER", null), 202)
            .bodyAsJsonObject();
        purchaseId = order.getLong("id");
        wrong = payments.simulateDeposit(order.getJsonObject("bankTransfer").getString("reference"), 4_000).orElseThrow();
        firstAnswer = check(first.postNotice(wrong), 422).bodyAsString();
        returnId = new JsonObject(firstAnswer).getJsonObject("depositReturn").getLong("id");
        // the instruction reached the bank, which paid it; the gateway stops before any answer
        CertHarness.await("the bank took the instruction", () -> bank.sim.requests() == 1);
        assertEquals(1, bank.sim.payouts());
        assertEquals("OWED", first.depositReturn(returnId).getString("status"));
      }
      try (CertHarness second = new CertHarness(dataDir, payments, bank)) {
        assertEquals(firstAnswer, check(second.postNotice(wrong), 422).bodyAsString(), "the re-sent notice after a restart");
        assertEquals("OWED", second.depositReturn(returnId).getString("status"));
        second.clock.advance(Duration.ofMinutes(1)); // past the dead gateway's lease (or its recorded backoff)
        second.dispatchReturns();
        CertHarness.await("sent again", () -> second.depositReturn(returnId).getString("status").equals("SENT"));
        assertEquals("dr-" + returnId + "-1", second.depositReturn(returnId).getString("instructionId"));
        assertEquals(2, bank.sim.requests());
        assertEquals(1, bank.sim.payouts(), "the repeat got the first answer");
        assertEquals(4_000, bank.sim.returnedWon());
        bank.sim.holdNotices(false);
        bank.sim.releaseNotices().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        CertHarness.await("confirmed", () -> second.depositReturn(returnId).getString("status").equals("CONFIRMED"));
        var buyer = second.new Member(login, phone).signIn();
        JsonObject order = check(buyer.get("/api/v1/certificates/purchases/" + purchaseId), 200).bodyAsJsonObject();
        assertEquals("CONFIRMED", order.getJsonArray("depositReturns").getJsonObject(0).getString("status"));
        assertEquals("AWAITING_DEPOSIT", order.getString("status"));
        assertEquals(4_000, bank.sim.returnedWon(), "returned once");
      }
    }
  }
}

package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Online checkout's guessing limits fall on the member who guesses, never on a victim: a member trying another's
 * certificate id with made-up PINs must not lock that certificate for its holder, and a member failing on their
 * own certificate must not lock every other member's online checkout (which all ran as "store 0"). The guesser
 * is still stopped. The per-source limit is set high here so that only the keys under test decide.
 */
class OnlineRedemptionLockoutTest {
  static final int PER_CERTIFICATE = 3;
  static final int PER_MEMBER = 6;
  @TempDir
  static Path dir;
  static CertHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir, PER_CERTIFICATE, PER_MEMBER, 1_000, 1_000);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  private static JsonObject certificateOf(CertHarness.Member m) throws Exception {
    return check(m.buy(h.item("Mileage Telecom", 10_000), 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201)
        .bodyAsJsonObject().getJsonArray("certificates").getJsonObject(0);
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> redeem(CertHarness.Member m, long id, String pin,
                                                                                         String order) throws Exception {
    return m.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject().put("pin", pin).put("amountWon", 1_000)
        .put("orderId", order));
  }

  @Test
  void guessingAtAnothersCertificateDoesNotLockItForItsHolder() throws Exception {
    var alice = h.new Member("lock-alice").ready();
    var mallory = h.new Member("lock-mallory").ready();
    JsonObject cert = certificateOf(alice);
    long id = cert.getLong("id");
    for (int i = 0; i < PER_CERTIFICATE; i++) {
      assertEquals("INVALID_CODE_OR_PIN", check(redeem(mallory, id, String.format("%06d", i), "m-" + i), 422)
          .bodyAsJsonObject().getString("code"));
    }
    // the holder with the right PIN: not locked out by someone else's guesses
    JsonObject ok = check(redeem(alice, id, cert.getString("pin"), "a-1"), 200).bodyAsJsonObject();
    assertEquals(9_000, ok.getLong("balanceWon"));
    // and the guesser is stopped on that certificate (for them), whatever PIN they try
    check(redeem(mallory, id, cert.getString("pin"), "m-x"), 429);
    assertEquals(9_000, alice.certificate(id).getLong("balanceWon"));
  }

  @Test
  void oneMembersFailuresDoNotStopEveryonesOnlineCheckout() throws Exception {
    var bob = h.new Member("lock-bob").ready();
    var eve = h.new Member("lock-eve").ready();
    JsonObject bobs = certificateOf(bob);
    JsonObject[] eves = {certificateOf(eve), certificateOf(eve), certificateOf(eve)};
    // Eve fails on her own certificates, each under its per-certificate limit, up to the per-member limit
    for (int i = 0; i < PER_MEMBER; i++) {
      check(redeem(eve, eves[i % eves.length].getLong("id"), "99999" + i, "e-" + i), 422);
    }
    // Bob's online checkout still works
    JsonObject ok = check(redeem(bob, bobs.getLong("id"), bobs.getString("pin"), "b-1"), 200).bodyAsJsonObject();
    assertEquals(9_000, ok.getLong("balanceWon"));
    // Eve is throttled now, even with a right PIN, and nothing of hers moved
    var blocked = check(redeem(eve, eves[0].getLong("id"), eves[0].getString("pin"), "e-ok"), 429);
    assertEquals("too_many_attempts", blocked.bodyAsJsonObject().getString("error"));
    assertEquals(10_000, eve.certificate(eves[0].getLong("id")).getLong("balanceWon"));
    h.advancePastGuessWindow();
    check(redeem(eve, eves[0].getLong("id"), eves[0].getString("pin"), "e-ok"), 200);
  }
}

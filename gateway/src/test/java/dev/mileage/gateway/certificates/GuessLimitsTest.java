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
 * The limit a distributed guesser meets: failures spread over many stores and codes (each under its own
 * limit) still stop at the overall limit. (The per-source limit is not exercised: tests use 127.0.0.1 only.)
 */
class GuessLimitsTest {
  static final int OVERALL = 8;
  @TempDir
  static Path dir;
  static CertHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir, 5, 100, 100, OVERALL);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  @Test
  void failuresSpreadOverStoresAndCodesStopAtTheOverallLimit() throws Exception {
    var member = h.new Member("overall-a").ready();
    JsonObject cert = check(member.buy(h.item("Mileage Telecom", 10_000), 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201)
        .bodyAsJsonObject().getJsonArray("certificates").getJsonObject(0);
    String[] keys = new String[4];
    for (int s = 0; s < keys.length; s++) keys[s] = h.store("Spread branch " + s).getString("apiKey");
    for (int i = 0; i < OVERALL; i++) {
      // each store and each code fails only twice or once: far under their own limits
      check(h.pos(keys[i % keys.length], "QQQQ-RRRR-SSSS-TTTT-" + String.format("%04d", i), "123456", 1_000, "X-" + i), 422);
    }
    String fresh = h.store("Fresh branch").getString("apiKey");
    var blocked = check(h.pos(fresh, cert.getString("code"), cert.getString("pin"), 1_000, "X-ok"), 429);
    assertEquals("too_many_attempts", blocked.bodyAsJsonObject().getString("error"));
    assertEquals(10_000, member.certificate(cert.getLong("id")).getLong("balanceWon"));
    h.advancePastGuessWindow();
    check(h.pos(fresh, cert.getString("code"), cert.getString("pin"), 1_000, "X-ok"), 200);
  }
}

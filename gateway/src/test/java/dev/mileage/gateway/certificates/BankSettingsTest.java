package dev.mileage.gateway.certificates;

import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.LogCapture;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bank provider's settings: a real provider needs a strong secret, production refuses the simulated one, no secret is printed. */
class BankSettingsTest {
  @TempDir
  Path dataDir;

  @Test
  void aProviderUrlNeedsAStrongSecretAndTheSecretIsNeverPrinted() {
    var defaults = CertificatesOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> defaults.withBank("https://bank.example", "", Duration.ofSeconds(5)));
    assertThrows(IllegalArgumentException.class, () -> defaults.withBank("https://bank.example", "short-secret", Duration.ofSeconds(5)));
    assertThrows(IllegalArgumentException.class, () -> defaults.withBank("ftp://bank.example", "x".repeat(40), Duration.ofSeconds(5)));
    assertThrows(IllegalArgumentException.class, () -> defaults.withBank("https://bank.example", "x".repeat(40), Duration.ZERO));
    String secret = SandboxBank.newSecret();
    var ok = defaults.withBank("https://bank.example", secret, Duration.ofSeconds(5));
    assertFalse(ok.toString().contains(secret), ok.toString());
    assertTrue(ok.toString().contains("bankSecret=(set)"), ok.toString());
  }

  @Test
  void theWebhookLimitHasSaneDefaultsAndRefusesNonsense() {
    var defaults = CertificatesOptions.defaults();
    assertEquals(CertificatesOptions.WEBHOOK_BAD_SIGNATURES_PER_SOURCE_DEFAULT, defaults.webhookBadSignaturesPerSourceMax());
    assertEquals(Duration.ofMinutes(15), defaults.webhookBadSignatureWindow());
    assertThrows(IllegalArgumentException.class, () -> defaults.withWebhookLimit(0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> defaults.withWebhookLimit(5, Duration.ZERO));
    assertThrows(NullPointerException.class, () -> defaults.withWebhookLimit(5, null));
    assertEquals(5, defaults.withWebhookLimit(5, Duration.ofMinutes(1)).webhookBadSignaturesPerSourceMax());
  }

  @Test
  void productionRefusesTheSimulatedBankProvider() throws Exception {
    GatewayConfig production = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), true, false, "operator",
        "a-long-production-password", "sip:pstn@127.0.0.1:5080");
    var feature = new CertificatesFeature(CertificatesOptions.defaults().withBank("", "", Duration.ofSeconds(5)), new SandboxPaymentProvider(),
        (to, text) -> io.vertx.core.Future.succeededFuture(dev.mileage.gateway.members.SmsSender.Result.UNREACHABLE),
        new PasswordHasher(CertificatesOptions.PIN_HASH_MEMORY_KIB, 1, 1));
    GatewayApp app = new GatewayApp(production, List.of(new LedgerFeature(), feature));
    try (LogCapture logs = LogCapture.install()) {
      Exception e = assertThrows(Exception.class, app::start);
      assertTrue(String.valueOf(e.getMessage()).contains(CertificatesOptions.BANK_URL_ENV), e.toString());
    } finally {
      app.stop();
    }
  }
  /**
   * Without MILEAGE_PUBLIC_BASE_URL a gift's claim link is built from the giver's own request's Host header, so any
   * member could have the gateway's MMS send a recipient to a site of their choosing: production refuses to start
   * without it, and starts with it.
   */
  @Test
  void productionNeedsAPublicBaseUrlForClaimLinks() throws Exception {
    GatewayConfig production = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), true, false, "operator",
        "a-long-production-password", "sip:pstn@127.0.0.1:5080");
    GatewayApp refused = new GatewayApp(production, List.of(new LedgerFeature(), productionFeature("")));
    try (LogCapture logs = LogCapture.install()) {
      Exception e = assertThrows(Exception.class, refused::start);
      assertTrue(String.valueOf(e.getMessage()).contains(CertificatesOptions.PUBLIC_BASE_URL_ENV), e.toString());
    } finally {
      refused.stop();
    }
    GatewayApp started = new GatewayApp(production, List.of(new LedgerFeature(), productionFeature("https://mileage.example")));
    try {
      started.start();
      assertTrue(started.httpPort() > 0);
    } finally {
      started.stop();
    }
  }

  private static CertificatesFeature productionFeature(String publicBaseUrl) {
    var d = CertificatesOptions.defaults();
    var options = new CertificatesOptions(d.phoneBillMonthlyLimitWon(), d.pinFailuresPerCertificateMax(), d.failuresPerStoreMax(),
        d.failuresPerSourceMax(), d.failuresOverallMax(), d.guessWindow(), d.bankTransferWindow(), publicBaseUrl,
        "https://bank.example", SandboxBank.newSecret(), Duration.ofSeconds(5), d.webhookBadSignaturesPerSourceMax(),
        d.webhookBadSignatureWindow(), d.pinHashesPerMemberMax(), d.pinHashesPerStoreMax(), d.pinHashWindow());
    return new CertificatesFeature(options, new SandboxPaymentProvider(),
        (to, text) -> io.vertx.core.Future.succeededFuture(dev.mileage.gateway.members.SmsSender.Result.UNREACHABLE),
        new PasswordHasher(CertificatesOptions.PIN_HASH_MEMORY_KIB, 1, 1));
  }
}

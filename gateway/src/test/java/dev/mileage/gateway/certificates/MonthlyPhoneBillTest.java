package dev.mileage.gateway.certificates;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The phone-bill limit is per month: used up, refused; next month back to the limit, never more. */
class MonthlyPhoneBillTest {
  @TempDir
  static Path dir;
  static CertHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  long lineLeft(long memberId) throws Exception {
    return h.gateway.app.context().ledger().accountOf("member:" + memberId, StandardPointTypes.PHONE_BILL)
        .toCompletableFuture().get(10, TimeUnit.SECONDS).map(Account::available).orElse(0L);
  }

  @Test
  void theLimitIsPerMonthAndDoesNotPileUp() throws Exception {
    long limit = CertificatesOptions.defaults().phoneBillMonthlyLimitWon();
    long item = h.item("Hanbit Department Store", 50_000);
    var m = h.new Member("monthly").ready();
    int fits = (int) (limit / 50_000) - 2;
    check(m.buy(item, fits, "PHONE_BILL", null), 201);
    assertEquals(100_000, lineLeft(m.id), "two sheets' worth left this month");
    check(m.buy(item, 3, "PHONE_BILL", null), 402);
    assertEquals(100_000, lineLeft(m.id));
    // a new month (the clock starts on 20 November): the line is back to the limit, not limit + leftovers
    h.clock.advance(Duration.ofDays(12));
    check(m.post("/auth/sign-in", new io.vertx.core.json.JsonObject().put("loginId", m.login).put("password", CertHarness.PASSWORD)), 200);
    m.csrf = check(m.get("/auth/session"), 200).bodyAsJsonObject().getString("csrfToken");
    check(m.buy(item, 1, "PHONE_BILL", null), 201);
    assertEquals(limit - 50_000, lineLeft(m.id), "topped up to the limit: last month's 100 000 left do not add up");
    check(m.buy(item, 1, "PHONE_BILL", null), 201);
    assertEquals(limit - 100_000, lineLeft(m.id));
    assertEquals(fits + 2, m.mine().size());
  }
}

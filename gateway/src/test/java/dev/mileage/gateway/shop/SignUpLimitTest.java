package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.MembersOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.mileage.gateway.shop.ShopHarness.PASSWORD;
import static dev.mileage.gateway.shop.ShopHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sign-up hashes a password and sends an SMS to a number the caller chooses: one address gets a bounded
 * number of them per window (429 with Retry-After past it, nothing created, nothing sent), so nobody pumps SMS
 * through the gateway. The window ends on the gateway's clock.
 */
class SignUpLimitTest {
  @TempDir
  static Path dataDir;
  static ShopHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new ShopHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  @Test
  void oneAddressSignsUpABoundedNumberOfMembersPerWindow() throws Exception {
    for (int i = 0; i < MembersOptions.SIGN_UPS_PER_SOURCE_MAX; i++) {
      var m = h.new Member("pump" + String.format("%04d", i));
      assertTrue(check(m.signUp(), 201).bodyAsJsonObject().getBoolean("codeSent"));
    }
    var past = h.new Member("pump-past");
    var refused = check(past.signUp(), 429);
    assertEquals("too_many_sign_ups", refused.bodyAsJsonObject().getString("error"));
    assertNotNull(refused.getHeader("Retry-After"));
    assertTrue(h.smsc.received().stream().noneMatch(s -> s.to().equals(past.phone)), "no SMS for a refused sign-up");
    assertEquals(401, past.signIn(PASSWORD).statusCode(), "no member was created");
    h.clock.advance(MembersOptions.SIGN_UP_WINDOW.plus(Duration.ofSeconds(1)));
    check(past.signUp(), 201);
    past.codeFromSmsc();
  }
}

package dev.mileage.gateway.certificates;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operations that run Argon2 on success (password and phone changes, sign-ins, new PINs, online and POS redemptions,
 * accepting a gift) are bounded per member, per store or per source address: past the budget 429 with Retry-After
 * and a reason, before anything is hashed, and nothing changes. On a real gateway with PostgreSQL and the SMSC.
 */
class HashBudgetTest {
  static final Duration WINDOW = Duration.ofMinutes(5);
  static final int MEMBER_HASHES = 4;
  static final int SIGN_INS_PER_SOURCE = 8;
  /** The least the options allow: the largest gift's PINs at once. */
  static final int MEMBER_PIN_HASHES = CertificatesOptions.CERTIFICATES_PER_GIFT_MAX;
  static final int STORE_PIN_HASHES = 3;

  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture10k;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir, o -> o.withPinHashLimits(MEMBER_PIN_HASHES, STORE_PIN_HASHES, WINDOW),
        m -> m.withHashLimits(MEMBER_HASHES, SIGN_INS_PER_SOURCE, WINDOW));
    culture10k = h.item("Culture Pass", 10_000);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** Every test starts with fresh budgets (the sessions outlive a window: 30 minutes idle). */
  @BeforeEach
  void newWindow() {
    h.clock.advance(WINDOW.plusSeconds(1));
  }

  static void assertLimited(HttpResponse<Buffer> r, String reasonPart) {
    assertEquals(429, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("too_many_hashing_requests", body.getString("error"));
    assertTrue(body.getString("reason").contains(reasonPart), body.getString("reason"));
    long wait = Long.parseLong(r.getHeader("Retry-After"));
    assertTrue(wait >= 1 && wait <= WINDOW.toSeconds(), "Retry-After " + wait);
    assertEquals(wait, body.getLong("retryAfterSeconds"));
  }

  static JsonObject passwordChange(String current, String next) {
    return new JsonObject().put("currentPassword", current).put("newPassword", next);
  }

  @Test
  void passwordChangesAreBoundedPerMemberAndARefusedOneChangesNothing() throws Exception {
    var m = h.new Member("hashpw01").ready();
    var other = h.new Member("hashpw02").ready();
    h.clock.advance(WINDOW.plusSeconds(1)); // sign-ins spent the source's allowance, not the members'
    // each change verifies the current password and hashes the new one: two of the four
    check(m.post("/api/v1/members/me/password", passwordChange(CertHarness.PASSWORD, "second-password-1")), 200);
    check(m.post("/api/v1/members/me/password", passwordChange("second-password-1", "third-password-1")), 200);
    var refused = m.post("/api/v1/members/me/password", passwordChange("third-password-1", "fourth-password-1"));
    assertLimited(refused, "password");
    // a phone number change verifies the password too
    assertLimited(m.post("/api/v1/members/me/phone", new JsonObject().put("phone", CertHarness.newPhone())
        .put("password", "third-password-1")), "password");
    // bad input is still told as such, and costs nothing
    assertEquals(400, m.post("/api/v1/members/me/password", passwordChange("third-password-1", "short")).statusCode());

    // nothing changed: the password is still the third one
    assertEquals(401, signIn(m.login, "fourth-password-1").statusCode());
    check(signIn(m.login, "third-password-1"), 200);
    // another member has their own budget
    check(other.post("/api/v1/members/me/password", passwordChange(CertHarness.PASSWORD, "other-password-2")), 200);

    h.clock.advance(WINDOW.plusSeconds(1));
    check(m.post("/api/v1/members/me/password", passwordChange("third-password-1", "fourth-password-1")), 200);
    check(signIn(m.login, "fourth-password-1"), 200);
  }

  @Test
  void signInsAreBoundedPerSourceAddressEvenWithTheRightPassword() throws Exception {
    var m = h.new Member("hashsi01").ready();
    h.clock.advance(WINDOW.plusSeconds(1));
    for (int i = 0; i < SIGN_INS_PER_SOURCE; i++) check(signIn(m.login, CertHarness.PASSWORD), 200);
    var refused = signIn(m.login, CertHarness.PASSWORD);
    assertLimited(refused, "sign-ins");
    assertNull(refused.getHeader("Set-Cookie"), "no session for a refused sign-in");
    h.clock.advance(WINDOW.plusSeconds(1));
    check(signIn(m.login, CertHarness.PASSWORD), 200);
  }

  @Test
  void newPinsAndRedemptionsAreBoundedPerMemberAndPerStore() throws Exception {
    var m = h.new Member("hashpin01").ready();
    var other = h.new Member("hashpin02").ready();
    JsonObject cert = check(m.buy(culture10k, 1, "PHONE_BILL", null), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);
    long id = cert.getLong("id");
    String code = cert.getString("code");
    JsonObject otherCert = check(other.buy(culture10k, 1, "PHONE_BILL", null), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);

    // an online payment costs one PIN check, right PIN or not
    check(m.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject().put("pin", cert.getString("pin"))
        .put("amountWon", 1_000).put("orderId", "order-1")), 200);
    String pin = null;
    for (int i = 1; i < MEMBER_PIN_HASHES; i++) {
      pin = check(m.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()), 200).bodyAsJsonObject().getString("pin");
    }
    assertLimited(m.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()), "PIN");
    assertLimited(m.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject().put("pin", pin)
        .put("amountWon", 1_000).put("orderId", "order-2")), "PIN");
    assertEquals(9_000, m.certificate(id).getLong("balanceWon"), "the refused payment moved nothing");
    // another member's budget is their own
    check(other.post("/api/v1/certificates/mine/" + otherCert.getLong("id") + "/pin", new JsonObject()), 200);

    // the PIN is the last one given: the refused renewal changed nothing
    JsonObject store = h.store("Hash Budget Mart");
    String key = store.getString("apiKey");
    for (int i = 0; i < STORE_PIN_HASHES; i++) check(h.pos(key, code, pin, 100, "pos-" + i), 200);
    // the store's POS has its own budget, spent now even for the right PIN
    assertLimited(h.pos(key, code, pin, 100, "pos-x"), "store");
    assertEquals(8_700, m.certificate(id).getLong("balanceWon"));

    h.clock.advance(WINDOW.plusSeconds(1));
    check(h.pos(key, code, pin, 100, "pos-x"), 200);
    assertNotNull(check(m.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()), 200).bodyAsJsonObject().getString("pin"));
  }

  @Test
  void acceptingAGiftTakesOneHashPerCertificateBeforeAnyIsMade() throws Exception {
    var giver = h.new Member("hashgift01").ready();
    var recipient = h.new Member("hashgift02").ready();
    JsonArray given = check(giver.buy(culture10k, 2, "PHONE_BILL", null), 201).bodyAsJsonObject().getJsonArray("certificates");
    long own = check(recipient.buy(culture10k, 1, "PHONE_BILL", null), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0).getLong("id");
    check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray()
        .add(given.getJsonObject(0).getLong("id")).add(given.getJsonObject(1).getLong("id")))
        .put("recipientPhone", recipient.phone)), 201);
    String token = token(h.awaitSms(recipient.phone, b -> b.contains("sent you a gift")).body());
    // one hash left of the budget: the gift's two new PINs do not fit
    for (int i = 1; i < MEMBER_PIN_HASHES; i++) check(recipient.post("/api/v1/certificates/mine/" + own + "/pin", new JsonObject()), 200);
    assertLimited(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), "PIN");
    assertEquals("SENT", check(h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null), 200)
        .bodyAsJsonObject().getString("status"), "the gift is still open");
    assertNull(recipient.certificate(given.getJsonObject(0).getLong("id")), "nothing moved to the recipient");
    // all or nothing: the refused acceptance took none of the budget, so its last hash is still there
    check(recipient.post("/api/v1/certificates/mine/" + own + "/pin", new JsonObject()), 200);
    assertLimited(recipient.post("/api/v1/certificates/mine/" + own + "/pin", new JsonObject()), "PIN");

    h.clock.advance(WINDOW.plusSeconds(1));
    JsonObject accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200)
        .bodyAsJsonObject();
    assertEquals(2, accepted.getJsonArray("certificates").size());
  }

  private static HttpResponse<Buffer> signIn(String login, String password) throws Exception {
    return h.gateway.send(HttpMethod.POST, "/auth/sign-in", null, null, Buffer.buffer(new JsonObject().put("loginId", login)
        .put("password", password).encode()));
  }

  private static String token(String sms) {
    Matcher m = Pattern.compile("/#/gifts/claim\\?t=([A-Za-z0-9_-]{22})").matcher(sms);
    if (!m.find()) throw new AssertionError("no claim link in " + sms);
    return m.group(1);
  }
}

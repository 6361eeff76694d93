package dev.mileage.gateway.shop;

import dev.mileage.points.ledger.TransferCodes;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.mileage.gateway.shop.ShopHarness.PASSWORD;
import static dev.mileage.gateway.shop.ShopHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Members over real HTTP, real PostgreSQL, a real SMSC over SIP: sign-up, verification, sessions, guessing limits. */
class MembersApiTest {
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
  void signUpSendsACodeBySmsAndVerifyingCreditsTheBonusOnce() throws Exception {
    var m = h.new Member("alice01");
    var created = check(m.signUp(), 201).bodyAsJsonObject();
    assertTrue(created.getBoolean("codeSent"), "the SMSC took the message");
    assertEquals(409, m.signUp().statusCode(), "the login id is taken now");
    String code = m.codeFromSmsc();
    String wrong = code.equals("000000") ? "111111" : "000000";
    var bad = m.post("/auth/verify-phone", new JsonObject().put("loginId", m.login).put("code", wrong));
    assertEquals(400, bad.statusCode());
    assertEquals("wrong_code", bad.bodyAsJsonObject().getString("error"));
    var ok = check(m.post("/auth/verify-phone", new JsonObject().put("loginId", m.login).put("code", code)), 200);
    assertEquals(3_000, ok.bodyAsJsonObject().getLong("bonusMileage"));
    check(m.signIn(PASSWORD), 200);
    assertEquals(3_000, m.mileage());
    // verifying again and signing in again (which re-submits the bonus transfer) never pays twice
    check(m.post("/auth/verify-phone", new JsonObject().put("loginId", m.login).put("code", code)), 200);
    check(m.signIn(PASSWORD), 200);
    assertEquals(3_000, m.mileage());
    var wallet = check(m.get("/api/v1/shop/wallet"), 200).bodyAsJsonObject();
    var movements = wallet.getJsonArray("movements");
    assertEquals(1, movements.size());
    assertEquals("sign-up bonus", movements.getJsonObject(0).getString("reason"));
    assertEquals(TransferCodes.SIGN_UP_BONUS, 200);
  }

  @Test
  void aCodeIsRefusedAfterTooManyWrongTries() throws Exception {
    var m = h.new Member("bob0001");
    check(m.signUp(), 201);
    String code = m.codeFromSmsc();
    String wrong = code.equals("999999") ? "888888" : "999999";
    for (int i = 0; i < 5; i++) {
      assertEquals(400, m.post("/auth/verify-phone", new JsonObject().put("loginId", m.login).put("code", wrong)).statusCode());
    }
    assertEquals(429, m.post("/auth/verify-phone", new JsonObject().put("loginId", m.login).put("code", code)).statusCode(),
        "even the right code is refused once the attempts are used up");
  }

  @Test
  void badSignUpsAreRefusedWithAReason() throws Exception {
    var m = h.new Member("carol01");
    var r = m.post("/auth/sign-up", new JsonObject().put("loginId", "carol01").put("password", PASSWORD).put("name", "C")
        .put("phone", "010-1234-5678").put("address", "x"));
    assertEquals(400, r.statusCode());
    assertTrue(r.bodyAsJsonObject().getString("reason").contains("E.164"));
    var weak = m.post("/auth/sign-up", new JsonObject().put("loginId", "carol01").put("password", "short").put("name", "C")
        .put("phone", "+821012341234").put("address", "x"));
    assertEquals(400, weak.statusCode());
    assertEquals(400, m.post("/auth/sign-up", new JsonObject()).statusCode());
    // not JSON: refused, which also keeps cross-site HTML forms out
    var form = m.web.post("/auth/sign-in").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer("loginId=a&password=b")).toCompletionStage().toCompletableFuture().get();
    assertEquals(400, form.statusCode());
  }

  @Test
  void wrongPasswordAndUnknownLoginLookTheSameAndGuessingIsThrottled() throws Exception {
    var m = h.new Member("dave001").ready();
    var other = h.new Member("dave001");
    var unknown = h.new Member("nobody-here");
    var wrong = other.signIn("wrong-password-1");
    var missing = unknown.signIn("wrong-password-1");
    assertEquals(401, wrong.statusCode());
    assertEquals(wrong.statusCode(), missing.statusCode());
    assertEquals(wrong.bodyAsString(), missing.bodyAsString(), "identical answers");
    for (int i = 0; i < 4; i++) assertEquals(401, other.signIn("wrong-password-" + i).statusCode());
    var locked = other.signIn(PASSWORD);
    assertEquals(429, locked.statusCode(), "locked after five failures, even with the right password");
    assertTrue(Long.parseLong(locked.getHeader("Retry-After")) > 0);
    for (int i = 0; i < 4; i++) assertEquals(401, unknown.signIn("wrong-password-" + i).statusCode());
    assertEquals(429, unknown.signIn("x-password-xx").statusCode(), "an unknown login locks the same way");
    assertEquals(200, check(m.get("/api/v1/members/me"), 200).statusCode(), "the existing session is untouched");
    h.clock.advance(Duration.ofMinutes(16));
    check(other.signIn(PASSWORD), 200);
  }

  @Test
  void sessionsNeedTheCsrfTokenForChangesAndExpireWhenIdle() throws Exception {
    var m = h.new Member("erin001").ready();
    var me = check(m.get("/api/v1/members/me"), 200).bodyAsJsonObject();
    assertEquals("erin001", me.getString("loginId"));
    assertTrue(me.getBoolean("phoneVerified"));
    String csrf = m.csrf;
    m.csrf = null;
    var noToken = m.call(HttpMethod.PATCH, "/api/v1/members/me", new JsonObject().put("address", "2 Changed-ro"));
    assertEquals(401, noToken.statusCode());
    assertTrue(noToken.bodyAsJsonObject().getString("reason").contains("CSRF"));
    m.csrf = "not-the-token";
    assertEquals(401, m.call(HttpMethod.PATCH, "/api/v1/members/me", new JsonObject().put("address", "2 Changed-ro")).statusCode());
    m.csrf = csrf;
    assertEquals("1 Test-ro, Seoul", check(m.get("/api/v1/members/me"), 200).bodyAsJsonObject().getString("address"), "nothing changed");
    var changed = check(m.call(HttpMethod.PATCH, "/api/v1/members/me", new JsonObject().put("address", "2 Changed-ro")), 200);
    assertEquals("2 Changed-ro", changed.bodyAsJsonObject().getString("address"));
    var cookie = m.web.cookieStore().get(false, "127.0.0.1", "/").iterator().next();
    assertTrue(cookie.isHttpOnly(), "HttpOnly");
    h.clock.advance(Duration.ofMinutes(31));
    assertEquals(401, m.get("/api/v1/members/me").statusCode(), "idle session ended");
    assertFalse(check(m.get("/auth/session"), 200).bodyAsJsonObject().getBoolean("signedIn"));
  }

  /** The code in the {@code nth} (from 1) SMS to {@code phone} whose text contains {@code words}, waiting up to 10 s. */
  static String codeSentTo(String phone, String words, int nth) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      var found = h.smsc.received().stream().filter(x -> x.to().equals(phone) && x.body().contains(words)).toList();
      if (found.size() >= nth) {
        Matcher c = Pattern.compile("([0-9]{6})").matcher(found.get(nth - 1).body());
        return c.find() ? c.group(1) : found.get(nth - 1).body();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no SMS number " + nth + " to " + phone + " saying " + words);
  }

  @Test
  void phoneNumberChangesOnlyWithThePasswordAndTheCodeSentToTheNewNumber() throws Exception {
    var m = h.new Member("ivy0001").ready();
    var other = h.new Member("jack001").ready();
    String newPhone = "+8210" + "77" + m.phone.substring(m.phone.length() - 6);
    JsonObject change = new JsonObject().put("phone", newPhone).put("password", PASSWORD);

    // re-authentication and input checks first; nothing is sent, nothing changes
    assertEquals(403, m.post("/api/v1/members/me/phone", change.copy().put("password", "not-the-password")).statusCode());
    assertEquals(400, m.post("/api/v1/members/me/phone", change.copy().put("phone", "010-1234-5678")).statusCode());
    var same = m.post("/api/v1/members/me/phone", change.copy().put("phone", m.phone));
    assertEquals(400, same.statusCode());
    assertEquals("same_number", same.bodyAsJsonObject().getString("error"));
    var nothing = m.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", "123456"));
    assertEquals(409, nothing.statusCode());
    assertEquals("nothing_pending", nothing.bodyAsJsonObject().getString("error"));
    String csrf = m.csrf;
    m.csrf = null;
    assertEquals(401, m.post("/api/v1/members/me/phone", change).statusCode(), "a change needs the CSRF token");
    m.csrf = csrf;
    assertTrue(h.smsc.received().stream().noneMatch(x -> x.to().equals(newPhone)), "no SMS for refused requests");

    // the code goes to the new number; asking again at once is refused (no SMS flooding)
    var started = check(m.post("/api/v1/members/me/phone", change), 202).bodyAsJsonObject();
    assertEquals(newPhone, started.getString("phone"));
    String code = codeSentTo(newPhone, "verification code", 1);
    assertEquals(429, m.post("/api/v1/members/me/phone", change).statusCode());
    String wrong = code.equals("000000") ? "000001" : "000000";
    assertEquals(400, m.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", wrong)).statusCode());
    assertEquals(m.phone, check(m.get("/api/v1/members/me"), 200).bodyAsJsonObject().getString("phone"), "unchanged so far");
    assertEquals(409, other.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", code)).statusCode(),
        "a code is bound to the member who asked for it");

    var changed = check(m.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", code)), 200).bodyAsJsonObject();
    assertEquals(newPhone, changed.getString("phone"));
    assertTrue(changed.getBoolean("phoneVerified"));
    assertEquals(newPhone, check(m.get("/api/v1/members/me"), 200).bodyAsJsonObject().getString("phone"));
    codeSentTo(m.phone, "removed from your account", 1); // the old number is told
    assertEquals(409, m.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", code)).statusCode(), "a code works once");

    // another member cannot take a number that is verified for someone else, even holding the code
    h.clock.advance(Duration.ofMinutes(2));
    check(other.post("/api/v1/members/me/phone", change), 202);
    String otherCode = codeSentTo(newPhone, "verification code", 2);
    var taken = other.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", otherCode));
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    assertEquals("phone_taken", taken.bodyAsJsonObject().getString("error"));
    assertEquals(other.phone, check(other.get("/api/v1/members/me"), 200).bodyAsJsonObject().getString("phone"));

    // guessing: the code dies after five wrong tries, the right one is then refused too
    h.clock.advance(Duration.ofMinutes(2));
    String third = "+8210" + "66" + other.phone.substring(other.phone.length() - 6);
    check(other.post("/api/v1/members/me/phone", change.copy().put("phone", third)), 202);
    String thirdCode = codeSentTo(third, "verification code", 1);
    String bad = thirdCode.equals("000000") ? "000001" : "000000";
    for (int i = 0; i < 5; i++) {
      assertEquals(400, other.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", bad)).statusCode());
    }
    assertEquals(429, other.post("/api/v1/members/me/phone/verify", new JsonObject().put("code", thirdCode)).statusCode());
    assertEquals(other.phone, check(other.get("/api/v1/members/me"), 200).bodyAsJsonObject().getString("phone"));
  }

  @Test
  void passwordChangeNeedsTheCurrentPasswordAndEndsOtherSessions() throws Exception {
    var m = h.new Member("fred001").ready();
    var laptop = h.new Member("fred001");
    check(laptop.signIn(PASSWORD), 200);
    var refused = m.post("/api/v1/members/me/password", new JsonObject().put("currentPassword", "not-my-password").put("newPassword", "another-long-password"));
    assertEquals(403, refused.statusCode());
    check(m.post("/api/v1/members/me/password", new JsonObject().put("currentPassword", PASSWORD).put("newPassword", "another-long-password")), 200);
    assertEquals(200, m.get("/api/v1/members/me").statusCode(), "this session stays");
    assertEquals(401, laptop.get("/api/v1/members/me").statusCode(), "the other session ended");
    assertEquals(401, h.new Member("fred001").signIn(PASSWORD).statusCode());
    check(h.new Member("fred001").signIn("another-long-password"), 200);
  }

  @Test
  void aMemberSeesOnlyTheirOwnProfileAndSignOutEndsTheSession() throws Exception {
    var a = h.new Member("gina001").ready();
    var b = h.new Member("hank001").ready();
    assertNotEquals(a.id, b.id);
    assertEquals(403, b.get("/api/v1/members/" + a.id).statusCode());
    assertEquals(200, a.get("/api/v1/members/" + a.id).statusCode());
    assertFalse(b.get("/api/v1/members/" + a.id).bodyAsString().contains("gina001"));
    check(a.post("/auth/sign-out", new JsonObject()), 200);
    assertEquals(401, a.get("/api/v1/members/me").statusCode());
  }
}

package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.gateway.members.SessionService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientSession;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member signed up (phone verified by the SMS the trunk receives) and signed in over the real HTTP API, for
 * the browser call tests: the session cookie a browser is given, the CSRF token and the ledger owner.
 */
record WebCaller(WebClientSession web, String sessionCookie, String csrf, String owner, String password) {
  static WebCaller signUpAndIn(WebClient client, SimulatedTrunk trunk, String loginId) throws Exception {
    WebClientSession web = WebClientSession.create(client);
    String phone = "+821077" + String.format("%06d", (int) (Math.random() * 1_000_000));
    String password = "correct-horse-battery";
    HttpResponse<Buffer> up = post(web, "/auth/sign-up", new JsonObject().put("loginId", loginId).put("password", password)
        .put("name", "Web Caller").put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester"), null);
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String sms = trunk.awaitSms(phone, Instant.now().plusSeconds(15)).orElseThrow().body();
    Matcher m = Pattern.compile("([0-9]{6})").matcher(sms);
    assertTrue(m.find(), sms);
    assertEquals(200, post(web, "/auth/verify-phone", new JsonObject().put("loginId", loginId).put("code", m.group(1)), null)
        .statusCode());
    HttpResponse<Buffer> in = post(web, "/auth/sign-in", new JsonObject().put("loginId", loginId).put("password", password), null);
    assertEquals(200, in.statusCode(), in.bodyAsString());
    String cookie = null;
    for (String c : in.cookies()) {
      if (c.startsWith(SessionService.COOKIE + "=")) cookie = c.substring(SessionService.COOKIE.length() + 1).split(";")[0];
    }
    assertTrue(cookie != null, "no session cookie");
    return new WebCaller(web, cookie, in.bodyAsJsonObject().getString("csrfToken"),
        "member:" + in.bodyAsJsonObject().getValue("memberId"), password);
  }

  HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
    return post(web, path, body, csrf);
  }

  static HttpResponse<Buffer> post(WebClientSession web, String path, JsonObject body, String csrfToken) throws Exception {
    var request = web.post(path).putHeader("Content-Type", "application/json");
    if (csrfToken != null) request.putHeader("X-CSRF-Token", csrfToken);
    return request.sendBuffer(Buffer.buffer(body.encode())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}

package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.members.SessionService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page of the site in Firefox ESR (the demo gateway, the demo member signed in): each route renders its
 * heading, none ends on the router's "Something went wrong", and Firefox reports no script error on the way.
 * The pages are plain ES modules written against Chromium's tests; this is where a construct Firefox does not
 * run, or runs differently, would show.
 */
class FirefoxPagesTest {
  static final List<String> ROUTES = List.of("shop", "cart", "orders", "wallet", "account", "phone", "streams",
      "trading", "gifts", "mall", "mall/notifications", "backoffice");
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static TestGateway gateway;
  static String sessionCookie;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway(dataDir);
    HttpResponse<Buffer> in = gateway.client.post("/auth/sign-in").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("loginId", "demo").put("password", "demo-mileage-2026").encode()))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(200, in.statusCode(), in.bodyAsString());
    for (String c : in.cookies()) {
      if (c.startsWith(SessionService.COOKIE + "=")) sessionCookie = c.substring(SessionService.COOKIE.length() + 1).split(";")[0];
    }
    assertTrue(sessionCookie != null, "no session cookie");
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  @Test
  void everyPageRendersInFirefoxWithoutAScriptError() throws Exception {
    try (Firefox firefox = Firefox.start(profileDir)) {
      String origin = "http://127.0.0.1:" + gateway.app.httpPort();
      firefox.navigate(origin + "/index.html");
      firefox.setCookie(SessionService.COOKIE, sessionCookie, "127.0.0.1");
      firefox.reload();
      List<String> rendered = new ArrayList<>();
      for (String route : ROUTES) {
        // the router renders into a fresh view and swaps it in: mark the old one, wait for the new
        firefox.eval("const v = document.querySelector('#main > .view'); if (v) v.dataset.old = '1';"
            + " location.hash = '#/" + route + "';");
        BrowserCallTest.waitFor(() -> !"".equals(heading(firefox)), 20,
            () -> route + ": " + FirefoxCallTest.text(firefox, "main") + "\n" + firefox.console());
        String h1 = heading(firefox);
        assertTrue(!h1.contains("Something went wrong"), route + ": " + FirefoxCallTest.text(firefox, "main"));
        rendered.add(route + ": " + h1);
      }
      assertEquals(ROUTES.size(), rendered.size(), rendered.toString());
      List<String> errors = firefox.console().lines().filter(l -> l.startsWith("error ")).toList();
      assertEquals(List.of(), errors, "script errors in Firefox on " + rendered);
    }
  }

  /** The new view's heading, or "" while the old view is still shown. */
  static String heading(Firefox firefox) {
    String h = FirefoxCallTest.call(() -> firefox.eval(
        "const h = document.querySelector('#main > .view:not([data-old]) h1'); return h ? h.textContent : '';"));
    return h == null ? "" : h.trim();
  }
}

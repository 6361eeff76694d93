package dev.mileage.gateway.webrtc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Firefox ESR driven over WebDriver BiDi, which Firefox speaks itself
 * ({@code --remote-debugging-port}; no geckodriver, which Debian does not package). Only the few commands
 * the browser tests need: navigate, set a cookie, evaluate a script, and the console collected for failure
 * messages. A fake microphone, and preferences that keep every connection on loopback: no update, telemetry,
 * remote settings, safe browsing, captive-portal or DNS-over-HTTPS traffic, no mDNS host candidates, ICE
 * gathering on the loopback interface only (Firefox runs no ICE against loopback today, see FirefoxCallTest;
 * this keeps a future one off eth0, and LoopbackMedia checks it on the gateway's side), and a
 * dead proxy for anything that would still leave the machine (Firefox never proxies 127.0.0.1). A missing
 * Firefox fails the test loudly: a browser test that is skipped proves nothing.
 */
final class Firefox implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/firefox-esr");
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Bounds the console kept for failure messages. */
  static final int CONSOLE_LINES_MAX = 2_000;
  private static final Pattern LISTENING = Pattern.compile("WebDriver BiDi listening on (ws://[^\\s]+)");
  private static final List<String> PREFERENCES = List.of(
      "media.navigator.streams.fake", "true",
      "media.navigator.permission.disabled", "true",
      "media.autoplay.default", "0",
      "media.peerconnection.ice.obfuscate_host_addresses", "false",
      "media.peerconnection.ice.loopback", "true",
      "media.peerconnection.ice.force_interface", "\"lo\"",
      "media.gmp-gmpopenh264.enabled", "false",
      "media.gmp-manager.url", "\"\"",
      "network.proxy.type", "1",
      "network.proxy.http", "\"127.0.0.1\"",
      "network.proxy.http_port", "9",
      "network.proxy.ssl", "\"127.0.0.1\"",
      "network.proxy.ssl_port", "9",
      "network.proxy.allow_hijacking_localhost", "false",
      "network.trr.mode", "5",
      "network.dns.disablePrefetch", "true",
      "network.prefetch-next", "false",
      "network.http.speculative-parallel-limit", "0",
      "network.captive-portal-service.enabled", "false",
      "network.connectivity-service.enabled", "false",
      "app.update.auto", "false",
      "app.normandy.enabled", "false",
      "extensions.update.enabled", "false",
      "services.settings.server", "\"http://127.0.0.1:9/v1\"",
      "browser.safebrowsing.malware.enabled", "false",
      "browser.safebrowsing.phishing.enabled", "false",
      "browser.safebrowsing.downloads.enabled", "false",
      "browser.region.update.enabled", "false",
      "datareporting.policy.dataSubmissionEnabled", "false",
      "datareporting.healthreport.uploadEnabled", "false",
      "toolkit.telemetry.enabled", "false",
      "geo.enabled", "false",
      "dom.push.connection.enabled", "false",
      "security.OCSP.enabled", "0");

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> answers = new ConcurrentHashMap<>();
  private final List<String> console = new CopyOnWriteArrayList<>();
  private final String context;

  private Firefox(Process process, String url) throws Exception {
    this.process = process;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create(url + "/session"), new Listener()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    command("session.new", new JsonObject().put("capabilities", new JsonObject()));
    command("session.subscribe", new JsonObject().put("events", new JsonArray().add("log.entryAdded")));
    JsonArray contexts = command("browsingContext.getTree", new JsonObject()).getJsonArray("contexts");
    this.context = contexts.getJsonObject(0).getString("context");
  }

  static Firefox start(Path profileDir) throws Exception {
    if (!Files.isExecutable(BROWSER)) {
      throw new IllegalStateException("Firefox is required for this test: apt-get install -y firefox-esr");
    }
    StringBuilder prefs = new StringBuilder();
    for (int i = 0; i < PREFERENCES.size(); i += 2) {
      prefs.append("user_pref(\"").append(PREFERENCES.get(i)).append("\", ").append(PREFERENCES.get(i + 1)).append(");\n");
    }
    Files.writeString(profileDir.resolve("user.js"), prefs);
    Process p = new ProcessBuilder(BROWSER.toString(), "--headless", "--no-remote", "--profile",
        profileDir.toAbsolutePath().toString(), "--remote-debugging-port", "0", "about:blank")
        .redirectErrorStream(true).start();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) url.complete(m.group(1));
        }
      } catch (java.io.IOException e) {
        url.completeExceptionally(e);
      }
      url.completeExceptionally(new IllegalStateException("Firefox exited before listening for WebDriver BiDi"));
    }, "firefox-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new Firefox(p, url.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /** Sends one command and waits for its result; an error answer fails the test with Firefox's words. */
  JsonObject command(String method, JsonObject params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    answers.put(id, answer);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    JsonObject a = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (!"success".equals(a.getString("type"))) {
      throw new AssertionError(method + ": " + a.getString("error") + ": " + a.getString("message"));
    }
    return a.getJsonObject("result");
  }

  void navigate(String url) throws Exception {
    command("browsingContext.navigate", new JsonObject().put("context", context).put("url", url).put("wait", "complete"));
  }

  /** Loads the page again (a hash change alone does not, and the app reads its session at load). */
  void reload() throws Exception {
    command("browsingContext.reload", new JsonObject().put("context", context).put("wait", "complete"));
  }

  void setCookie(String name, String value, String domain) throws Exception {
    command("storage.setCookie", new JsonObject().put("cookie", new JsonObject().put("name", name)
        .put("value", new JsonObject().put("type", "string").put("value", value)).put("domain", domain).put("path", "/")));
  }

  /**
   * Evaluates {@code body} as the body of an async function in the page and answers what it returns, as a
   * string (null for undefined or null). A script that throws fails the test with the exception's text.
   */
  String eval(String body) throws Exception {
    JsonObject r = command("script.evaluate", new JsonObject()
        .put("expression", "(async () => { const v = await (async () => { " + body + " })();"
            + " return v === undefined || v === null ? null : String(v); })()")
        .put("target", new JsonObject().put("context", context))
        .put("awaitPromise", true)
        .put("resultOwnership", "none"));
    if ("exception".equals(r.getString("type"))) {
      throw new AssertionError("script failed: " + r.getJsonObject("exceptionDetails").getString("text") + "\n" + console());
    }
    JsonObject value = r.getJsonObject("result");
    return "string".equals(value.getString("type")) ? value.getString("value") : null;
  }

  /** The page's console so far (for failure messages). */
  String console() {
    return String.join("\n", console);
  }

  @Override
  public void close() {
    try {
      socket.abort();
    } finally {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        JsonObject m = new JsonObject(text.toString());
        text.setLength(0);
        Integer id = m.getInteger("id");
        if (id != null) {
          CompletableFuture<JsonObject> a = answers.remove(id);
          if (a != null) a.complete(m);
        } else if ("log.entryAdded".equals(m.getString("method")) && console.size() < CONSOLE_LINES_MAX) {
          JsonObject p = m.getJsonObject("params");
          console.add(p.getString("level") + " " + p.getString("text"));
        }
      }
      w.request(1);
      return null;
    }
  }
}

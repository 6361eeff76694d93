package dev.mileage.gateway.webrtc;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.time.Duration;
import java.util.Map;

/**
 * Debian's headless Chromium with a fake microphone, driven by chromedriver. Missing binaries fail the
 * test loudly: a browser test that is skipped proves nothing.
 */
final class Chromium {
  static final String BROWSER = "/usr/bin/chromium";
  static final String DRIVER = "/usr/bin/chromedriver";
  static final String IP_HANDLING_POLICY_PREF = "webrtc.ip_handling_policy";
  static final String IP_HANDLING_POLICY = "default_public_and_private_interfaces";

  private Chromium() {
  }

  static ChromeDriver start() {
    if (!new File(BROWSER).canExecute() || !new File(DRIVER).canExecute()) {
      throw new IllegalStateException("Chromium is required for this test: apt-get install -y chromium chromium-driver");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--allow-loopback-in-peer-connection", "--window-size=1200,900");
    // Media on loopback only. By default Chromium gathers a host candidate per interface, and the one on
    // the machine's own address (eth0) reaches the gateway's 127.0.0.1 through the kernel and wins the ICE
    // pair: the gateway then answers checks from, and sends SRTP to, a non-loopback address. With this
    // policy Chromium stops enumerating interfaces and gathers on one socket bound to the any-address (the
    // candidate's text still names the default address, but the gateway is ICE-lite and never sends
    // there), so the kernel picks the source by route: towards 127.0.0.1 that is 127.0.0.1. The pref (not
    // --force-webrtc-ip-handling-policy, which only content_shell and headless_shell read) is what Chrome
    // itself honours. Checked on the gateway's side by LoopbackMedia.
    options.setExperimentalOption("prefs", Map.of(IP_HANDLING_POLICY_PREF, IP_HANDLING_POLICY));
    java.util.logging.Level all = java.util.logging.Level.ALL;
    org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
    logs.enable(org.openqa.selenium.logging.LogType.BROWSER, all);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  /** The browser console so far (for failure messages). */
  static String console(ChromeDriver driver) {
    StringBuilder out = new StringBuilder();
    for (org.openqa.selenium.logging.LogEntry e : driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
      out.append(e.getMessage()).append('\n');
    }
    return out.toString();
  }
}

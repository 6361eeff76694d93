package dev.mileage.gateway.shop;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Debian's headless Chromium driven by its chromedriver. Fails loudly when either is missing: a browser
 * test that silently skips would prove nothing.
 */
public final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(100);

  public final ChromeDriver driver;

  public Chromium(Path profileDir) throws Exception {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException("Chromium and chromedriver are required: apt-get install -y chromium chromium-driver");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        "--window-size=1280,900", "--user-data-dir=" + profileDir.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(WAIT);
  }

  public WebDriver web() {
    return driver;
  }

  public WebElement find(String css) {
    return until(() -> driver.findElements(By.cssSelector(css)).stream().findFirst().orElse(null), "element " + css);
  }

  public void type(String css, String text) {
    WebElement e = find(css);
    e.clear();
    e.sendKeys(text);
  }

  public void click(String css) {
    find(css).click();
  }

  /** Saves what the page looks like to target/screenshots/NAME.png, for people reviewing the build. */
  public void screenshot(String name) throws java.io.IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
  }

  /** Chooses the option whose value is {@code value} in the select matched by {@code css}. */
  public void select(String css, String value) {
    find(css + " option[value='" + value + "']").click();
  }

  public String text(String css) {
    return find(css).getText();
  }

  /** Waits for the page to show {@code expected} inside the element matched by {@code css}. */
  public String awaitText(String css, String expected) {
    return until(() -> {
      var found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() || !found.get(0).getText().contains(expected) ? null : found.get(0).getText();
    }, () -> "'" + expected + "' in " + css + " (now: " + safeText(css) + ")");
  }

  public void awaitHash(String prefix) {
    until(() -> String.valueOf(((JavascriptExecutor) driver).executeScript("return location.hash")).startsWith(prefix) ? true : null,
        "location " + prefix);
  }

  private String safeText(String css) {
    try {
      var found = driver.findElements(By.cssSelector(css));
      return found.isEmpty() ? "<none>" : found.get(0).getText();
    } catch (org.openqa.selenium.StaleElementReferenceException e) {
      return "<changing>";
    }
  }

  /** Polls with a bounded deadline (a browser renders asynchronously; there is no event to wait on). */
  public <T> T until(Supplier<T> probe, String what) {
    return until(probe, () -> what);
  }

  public <T> T until(Supplier<T> probe, Supplier<String> what) {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      T value;
      try {
        value = probe.get();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        value = null; // the page re-rendered between finding and reading: look again
      }
      if (value != null) return value;
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what.get());
      }
    }
    throw new AssertionError("timed out waiting for " + what.get() + "; page: " + driver.getCurrentUrl());
  }

  @Override
  public void close() {
    driver.quit();
  }
}

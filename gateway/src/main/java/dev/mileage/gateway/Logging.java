package dev.mileage.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.util.logging.LogManager;

/**
 * java.util.logging with a one-line format (logging.properties on the classpath), unless the operator
 * brought their own with {@code -Djava.util.logging.config.file}. Vert.x and jain-sip log through it.
 */
public final class Logging {
  private Logging() {
  }

  /**
   * The JDK's LogManager closes its handlers in its own shutdown hook, racing ours: the shutdown would
   * go unlogged. This one ignores that reset; {@link #shutdown()} does it after the gateway stopped.
   */
  public static final class Manager extends LogManager {
    @Override
    public void reset() {
    }

    void shutdown() {
      super.reset();
    }
  }

  /** Call first in main, before any logger exists. */
  public static void configure() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", Manager.class.getName());
    }
    if (System.getProperty("java.util.logging.config.file") != null) return;
    try (InputStream in = Logging.class.getResourceAsStream("/logging.properties")) {
      if (in != null) LogManager.getLogManager().readConfiguration(in);
    } catch (IOException e) {
      System.err.println("logging configuration not readable, using JDK defaults: " + e.getMessage());
    }
  }

  /** Flushes and closes the handlers; call last in the shutdown hook. */
  public static void shutdown() {
    if (LogManager.getLogManager() instanceof Manager m) m.shutdown();
  }
}

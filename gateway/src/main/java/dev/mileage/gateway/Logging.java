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

  public static void configure() {
    if (System.getProperty("java.util.logging.config.file") != null) return;
    try (InputStream in = Logging.class.getResourceAsStream("/logging.properties")) {
      if (in != null) LogManager.getLogManager().readConfiguration(in);
    } catch (IOException e) {
      System.err.println("logging configuration not readable, using JDK defaults: " + e.getMessage());
    }
  }
}

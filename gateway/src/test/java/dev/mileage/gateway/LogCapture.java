package dev.mileage.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record the gateway's loggers ({@code dev.mileage}) write while installed, as "message thrown" lines: for
 * tests that check that no secret (a PIN, a claim token, an account number) reaches the log.
 */
public final class LogCapture implements AutoCloseable {
  public final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("dev.mileage");
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      lines.add(r.getMessage() + " " + (r.getThrown() == null ? "" : r.getThrown()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  private LogCapture() {
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
  }

  public static LogCapture install() {
    return new LogCapture();
  }

  @Override
  public void close() {
    root.removeHandler(handler);
  }
}

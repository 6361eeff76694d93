package dev.mileage.bench.calls;

import gov.nist.core.ServerLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sip.SipStack;

/**
 * jain-sip's logger hooks, pointed at java.util.logging (warnings and errors only) so the stack needs no
 * log4j at run time and never logs message bodies (they carry digest credentials).
 */
final class StackLogging {
  private StackLogging() {}

  /** Stack diagnostics: warnings and errors to JUL, debug and trace dropped. */
  public static final class Stack implements StackLogger {
    private static final Logger LOG = Logger.getLogger("dev.mileage.bench.sip");
    /** Under overload the stack logs one line per dropped dialog: show the first few, count the rest. */
    static final int ERRORS_SHOWN_MAX = 10;
    static final java.util.concurrent.atomic.AtomicLong ERRORS = new java.util.concurrent.atomic.AtomicLong();

    private static void error(String message, Throwable ex) {
      long n = ERRORS.incrementAndGet();
      if (n <= ERRORS_SHOWN_MAX) LOG.log(Level.WARNING, message, ex);
      if (n == ERRORS_SHOWN_MAX) LOG.warning("further SIP stack errors are counted, not shown");
    }

    @Override public void logStackTrace() {}
    @Override public void logStackTrace(int traceLevel) {}
    @Override public int getLineCount() { return 0; }
    @Override public void logException(Throwable ex) { error("sip stack", ex); }
    @Override public void logDebug(String message) {}
    @Override public void logDebug(String message, Exception ex) {}
    @Override public void logTrace(String message) {}
    @Override public void logFatalError(String message) { error(message, null); }
    @Override public void logError(String message) { error(message, null); }
    @Override public boolean isLoggingEnabled() { return true; }
    @Override public boolean isLoggingEnabled(int logLevel) { return logLevel <= TRACE_ERROR; }
    @Override public void logError(String message, Exception ex) { error(message, ex); }
    @Override public void logWarning(String message) { LOG.fine(message); }
    @Override public void logInfo(String message) {}
    @Override public void disableLogging() {}
    @Override public void enableLogging() {}
    @Override public void setBuildTimeStamp(String buildTimeStamp) {}
    @Override public void setStackProperties(Properties stackProperties) {}
    @Override public String getLoggerName() { return LOG.getName(); }
  }

  /** Message logging: off (a load test sends millions, and they carry credentials). */
  public static final class Messages implements ServerLogger {
    @Override public void closeLogFile() {}
    @Override public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {}
    @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender,
                                     long time) {}
    @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {}
    @Override public void logException(Exception ex) {}
    @Override public void setStackProperties(Properties stackProperties) {}
    @Override public void setSipStack(SipStack sipStack) {}
  }
}

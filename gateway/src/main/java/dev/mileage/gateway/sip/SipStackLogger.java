package dev.mileage.gateway.sip;

import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;

/**
 * jain-sip's stack logger routed to SLF4J, so log4j never needs to be on the class path. Only warnings
 * and errors are passed on: jain-sip's debug output contains whole messages (credentials, numbers).
 * Named by {@code gov.nist.javax.sip.STACK_LOGGER}.
 */
public final class SipStackLogger implements StackLogger {
  private static final Logger LOG = LoggerFactory.getLogger("jain-sip");

  public SipStackLogger() {
  }

  @Override public void logStackTrace() { }
  @Override public void logStackTrace(int traceLevel) { }
  @Override public int getLineCount() { return 0; }
  @Override public void logException(Throwable ex) { LOG.warn("jain-sip exception", ex); }
  @Override public void logDebug(String message) { }
  @Override public void logDebug(String message, Exception ex) { }
  @Override public void logTrace(String message) { }
  @Override public void logFatalError(String message) { LOG.error(message); }
  @Override public void logError(String message) { LOG.warn(message); }
  @Override public boolean isLoggingEnabled() { return false; }
  @Override public boolean isLoggingEnabled(int logLevel) { return logLevel <= TRACE_ERROR; }
  @Override public void logError(String message, Exception ex) { LOG.warn(message, ex); }
  @Override public void logWarning(String message) { LOG.debug(message); }
  @Override public void logInfo(String message) { }
  @Override public void disableLogging() { }
  @Override public void enableLogging() { }
  @Override public void setBuildTimeStamp(String buildTimeStamp) { }
  @Override public void setStackProperties(Properties stackProperties) { }
  @Override public String getLoggerName() { return "jain-sip"; }
}

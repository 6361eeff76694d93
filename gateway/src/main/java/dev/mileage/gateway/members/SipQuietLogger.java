package dev.mileage.gateway.members;

import gov.nist.core.StackLogger;

import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * jain-sip's stack logger, so log4j is never needed. Only errors pass: jain-sip's debug output holds whole
 * messages, and an SMS holds a phone number and a verification code.
 */
public final class SipQuietLogger implements StackLogger {
  private static final Logger LOG = Logger.getLogger("jain-sip.sms");

  public SipQuietLogger() {
  }

  @Override public void logStackTrace() { }
  @Override public void logStackTrace(int traceLevel) { }
  @Override public int getLineCount() { return 0; }
  @Override public void logException(Throwable ex) { LOG.log(Level.WARNING, "jain-sip exception: " + ex.getClass().getName()); }
  @Override public void logDebug(String message) { }
  @Override public void logDebug(String message, Exception ex) { }
  @Override public void logTrace(String message) { }
  @Override public void logFatalError(String message) { LOG.severe("jain-sip fatal error"); }
  @Override public void logError(String message) { LOG.warning("jain-sip error"); }
  @Override public boolean isLoggingEnabled() { return false; }
  @Override public boolean isLoggingEnabled(int logLevel) { return logLevel <= TRACE_ERROR; }
  @Override public void logError(String message, Exception ex) { LOG.warning("jain-sip error: " + ex.getClass().getName()); }
  @Override public void logWarning(String message) { }
  @Override public void logInfo(String message) { }
  @Override public void disableLogging() { }
  @Override public void enableLogging() { }
  @Override public void setBuildTimeStamp(String buildTimeStamp) { }
  @Override public void setStackProperties(Properties stackProperties) { }
  @Override public String getLoggerName() { return "jain-sip.sms"; }

  /** jain-sip's message logger, silenced for the same reason. */
  public static final class Server implements gov.nist.core.ServerLogger {
    public Server() {
    }

    @Override public void closeLogFile() { }
    @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String f, String t, boolean s, long time) { }
    @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String f, String t, String st, boolean s, long time) { }
    @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String f, String t, String st, boolean s) { }
    @Override public void logException(Exception ex) { }
    @Override public void setStackProperties(Properties stackProperties) { }
    @Override public void setSipStack(javax.sip.SipStack sipStack) { }
  }
}

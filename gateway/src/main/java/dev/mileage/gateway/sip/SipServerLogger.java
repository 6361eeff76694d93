package dev.mileage.gateway.sip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;

import javax.sip.SipStack;
import java.util.Properties;

/** jain-sip's message logger, silenced: messages carry numbers and credentials (see {@link SipStackLogger}). */
public final class SipServerLogger implements ServerLogger {
  public SipServerLogger() {
  }

  @Override public void closeLogFile() { }
  @Override public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) { }
  @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) { }
  @Override public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) { }
  @Override public void logException(Exception ex) { }
  @Override public void setStackProperties(Properties stackProperties) { }
  @Override public void setSipStack(SipStack sipStack) { }
}

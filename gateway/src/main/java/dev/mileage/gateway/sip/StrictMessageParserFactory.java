package dev.mileage.gateway.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import java.text.ParseException;

/**
 * jain-sip's parser, followed by {@link RawRequestCheck} on the request's own octets: what the lenient
 * parser accepts but RFC 4475 says to refuse (extra spaces in the Request-Line, unquoted display names
 * with separators, spaces inside an addr-spec, a URI with headers outside angle brackets, single-value
 * fields given twice). The request is not refused here, where no answer can be given on every transport;
 * it is marked, and {@link RequestChecks} answers it 400 through its transaction like any other.
 * Configured by class name ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}), hence public.
 */
public final class StrictMessageParserFactory implements MessageParserFactory {
  /** The mark a malformed request carries as its application data. */
  record Malformed(String why) {
  }

  @Override
  public MessageParser createMessageParser(SIPTransactionStack stack) {
    StringMsgParser parser = new StringMsgParser();
    return new MessageParser() {
      @Override
      public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict, ParseExceptionListener listener)
          throws ParseException {
        SIPMessage m = parser.parseSIPMessage(bytes, readBody, strict, listener);
        if (m instanceof SIPRequest) {
          String why = RawRequestCheck.problem(bytes);
          if (why != null) m.setApplicationData(new Malformed(why));
        }
        return m;
      }
    };
  }

  /** Why {@code message} is malformed, or null when it is not (or was not read by this parser). */
  static String malformed(Object message) {
    return message instanceof SIPMessage m && m.getApplicationData() instanceof Malformed bad ? bad.why() : null;
  }
}

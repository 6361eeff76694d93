package dev.mileage.gateway.sip;

import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * jain-sip's parser, followed by {@link RawRequestCheck} on the request's own octets: what the lenient
 * parser accepts but RFC 4475 says to refuse (extra spaces in the Request-Line, unquoted display names
 * with separators, spaces inside an addr-spec, a URI with headers outside angle brackets, single-value
 * fields given twice). The request is not refused here, where no answer can be given on every transport;
 * it is marked, and {@link RequestChecks} answers it 400 through its transaction like any other.
 * Configured by class name ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}), hence public.
 */
public final class StrictMessageParserFactory implements MessageParserFactory {
  /** What stands in for a missing From or To (RFC 3261 22.4's anonymous form, in a reserved domain). */
  static final String PLACEHOLDER = "<sip:anonymous@anonymous.invalid>";
  private static final HeaderFactoryImpl HEADERS = new HeaderFactoryImpl();

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
        if (m instanceof SIPRequest request) {
          String why = RawRequestCheck.problem(bytes);
          if (why == null) why = completeForAnswer(request);
          if (why != null) m.setApplicationData(new Malformed(why));
        }
        return m;
      }
    };
  }

  /**
   * RFC 4475 3.3.1: a request without Call-ID, CSeq, From or To must be answered 400, but jain-sip's message
   * channels drop anything that lacks them before a transaction exists (a missing CSeq even throws). A client
   * matches the answer by its Via branch and CSeq method (RFC 3261 17.1.3), and the method is the Request-Line's,
   * so when Via is there the missing fields are filled with placeholders (the Call-ID derived from the branch,
   * so that the ACK of the 400 lands on the same transaction; the CSeq with the Request-Line's method) and the
   * request is marked malformed: it is answered 400 through its transaction and goes no further. Without a Via
   * no answer can be routed, and jain-sip drops the request as RFC 3261 allows. Answers what was missing, or
   * null when nothing was.
   */
  static String completeForAnswer(SIPRequest request) throws ParseException {
    if (request.getTopmostVia() == null || request.getMethod() == null) return null;
    List<String> missing = new ArrayList<>(4);
    if (request.getCallId() == null) missing.add("Call-ID");
    if (request.getCSeq() == null) missing.add("CSeq");
    if (request.getFrom() == null) missing.add("From");
    if (request.getTo() == null) missing.add("To");
    if (missing.isEmpty()) return null;
    if (request.getCSeq() == null) request.setHeader(HEADERS.createHeader(CSeqHeader.NAME, "1 " + request.getMethod()));
    String branch = request.getTopmostVia().getBranch();
    String key = Integer.toHexString(Objects.hash(branch, request.getTopmostVia().getSentBy().encode()));
    if (request.getCallId() == null) request.setHeader(HEADERS.createHeader(CallIdHeader.NAME, "missing-" + key));
    if (request.getFrom() == null) request.setHeader(HEADERS.createHeader(FromHeader.NAME, PLACEHOLDER + ";tag=" + key));
    if (request.getTo() == null) request.setHeader(HEADERS.createHeader(ToHeader.NAME, PLACEHOLDER));
    return "missing " + String.join(", ", missing);
  }

  /** Why {@code message} is malformed, or null when it is not (or was not read by this parser). */
  static String malformed(Object message) {
    return message instanceof SIPMessage m && m.getApplicationData() instanceof Malformed bad ? bad.why() : null;
  }
}

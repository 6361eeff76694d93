package dev.mileage.gateway.sip;

import gov.nist.javax.sip.message.SIPMessage;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.Locale;
import java.util.Set;

/**
 * Checks on a parsed request that jain-sip's lenient parser lets through but RFC 3261 / RFC 4475 refuse:
 * another SIP version (505), an unknown Request-URI scheme (416), headers embedded in the Request-URI
 * (400), a CSeq method that is not the request's (400), essential header fields that did not parse
 * (garbage values: 400), and what {@link StrictMessageParserFactory} found wrong in the raw octets
 * (400, the reason in {@link #why}). Answers 0 when the request is fine.
 */
final class RequestChecks {
  /** Header fields (long and compact names) a request cannot be understood without. */
  static final Set<String> ESSENTIAL = Set.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq",
      "max-forwards", "contact", "m", "content-length", "l", "content-type", "c");

  private RequestChecks() {
  }

  static int check(Request request) {
    if (StrictMessageParserFactory.malformed(request) != null) return Response.BAD_REQUEST;
    if (!"SIP/2.0".equalsIgnoreCase(request.getSIPVersion())) return Response.VERSION_NOT_SUPPORTED;
    if (request instanceof gov.nist.javax.sip.message.SIPRequest r && r.getRequestLine() != null
        && (!"2".equals(r.getRequestLine().getVersionMajor()) || !"0".equals(r.getRequestLine().getVersionMinor()))) {
      return Response.VERSION_NOT_SUPPORTED;
    }
    if (request.getHeader(javax.sip.header.ViaHeader.NAME) instanceof gov.nist.javax.sip.header.Via via
        && via.getProtocolVersion() != null && !"2.0".equals(via.getProtocolVersion())) {
      return Response.VERSION_NOT_SUPPORTED;
    }
    URI uri = request.getRequestURI();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("sip") && !scheme.equals("sips") && !scheme.equals("tel")) return Response.UNSUPPORTED_URI_SCHEME;
    if (uri instanceof SipURI sip && sip.getHeaderNames() != null && sip.getHeaderNames().hasNext()) {
      return Response.BAD_REQUEST; // RFC 3261 19.1.5: headers belong in a URI to build a request, never in a Request-URI
    }
    javax.sip.header.CSeqHeader cseq = (javax.sip.header.CSeqHeader) request.getHeader(javax.sip.header.CSeqHeader.NAME);
    if (cseq != null && !cseq.getMethod().equals(request.getMethod()) && !Request.ACK.equals(request.getMethod())
        && !Request.CANCEL.equals(request.getMethod())) {
      return Response.BAD_REQUEST;
    }
    if (request instanceof SIPMessage m) {
      var it = m.getUnrecognizedHeaders();
      while (it != null && it.hasNext()) {
        String line = it.next();
        int colon = line.indexOf(':');
        String name = (colon < 0 ? line : line.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        if (ESSENTIAL.contains(name)) return Response.BAD_REQUEST;
      }
    }
    return 0;
  }

  /**
   * What an RFC 2543 client leaves out and jain-sip will not make a transaction without (RFC 4475 3.4.1
   * asks RFC 3261 elements to accept such requests): Max-Forwards, and the Contact of an INVITE, which
   * RFC 2543 let default to the From address.
   */
  static void completeRfc2543(Request request, javax.sip.header.HeaderFactory headers) {
    try {
      if (request.getHeader(javax.sip.header.MaxForwardsHeader.NAME) == null) {
        request.setHeader(headers.createMaxForwardsHeader(70));
      }
      javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) request.getHeader(javax.sip.header.FromHeader.NAME);
      if (Request.INVITE.equals(request.getMethod()) && request.getHeader(javax.sip.header.ContactHeader.NAME) == null
          && from != null && from.getTag() == null) {
        request.setHeader(headers.createContactHeader(from.getAddress()));
      }
    } catch (javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The reason phrase for {@code code} on {@code request}: the standard one, with what was wrong if known. */
  static String reasonPhrase(Request request, int code) {
    String standard = gov.nist.javax.sip.message.SIPResponse.getReasonPhrase(code);
    String why = code == Response.BAD_REQUEST ? StrictMessageParserFactory.malformed(request) : null;
    return why == null ? standard : "Bad Request (" + why + ")";
  }
}

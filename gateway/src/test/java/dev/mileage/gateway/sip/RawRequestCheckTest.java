package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The raw checks alone: what real clients send passes, what RFC 4475 names is refused, with a reason. */
class RawRequestCheckTest {
  static String problem(String head) {
    return RawRequestCheck.problem((head.replace("\n", "\r\n") + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  static String invite(String requestLine, String from, String to, String contact) {
    return requestLine + "\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1;rport\n"
        + "From: " + from + "\n"
        + "To: " + to + "\n"
        + "Call-ID: raw-1@127.0.0.1\n"
        + "CSeq: 1 INVITE\n"
        + (contact == null ? "" : "Contact: " + contact + "\n")
        + "Max-Forwards: 70\n"
        + "Content-Length: 0\n";
  }

  static final String LINE = "INVITE sip:+15550100001@127.0.0.1 SIP/2.0";

  @Test
  void whatPhonesSipPAndBrowsersSendPasses() {
    // jain-sip / TestUac style
    assertNull(problem(invite(LINE, "<sip:alice@127.0.0.1>;tag=1", "<sip:+15550100001@127.0.0.1>", "<sip:alice@127.0.0.1:5062>")));
    // SIPp's scenario
    assertNull(problem(invite(LINE, "<sip:alice@127.0.0.1>;tag=4242SIPpTag001", "<sip:+15550100001@127.0.0.1:5060>",
        "<sip:alice@127.0.0.1:5062>")));
    // JsSIP: quoted display name, Contact with params and a quoted +sip.instance
    assertNull(problem(invite(LINE, "\"Alice Example\" <sip:alice@mileage.invalid>;tag=abc",
        "<sip:+15550100001@mileage.invalid>",
        "<sip:x7@df7jal23ls0d.invalid;transport=ws>;+sip.ice;reg-id=1;+sip.instance=\"<urn:uuid:0d6d>\";expires=600")));
    // token display names, addr-spec forms, several Contacts, the REGISTER wildcard
    assertNull(problem(invite(LINE, "Alice Smith <sip:alice@127.0.0.1>;tag=1", "sip:+15550100001@127.0.0.1 ;tag = 9",
        "<sip:a@h1>, \"B, the second\" <sip:b@h2>;q=0.5, sip:c@h3;expires=60")));
    assertNull(problem(invite(LINE, "<sip:alice@127.0.0.1>;tag=1", "<sip:x@y>", "*")));
    // leading CRLFs before the Request-Line are ignored (RFC 3261 7.5)
    assertNull(problem("\n\n" + invite(LINE, "<sip:alice@127.0.0.1>;tag=1", "<sip:x@y>", null)));
    // folded header values
    assertNull(problem(invite(LINE, "<sip:alice@127.0.0.1>\n  ;tag=1", "<sip:x@y>", "\n  <sip:alice@127.0.0.1>")));
  }

  @Test
  void theRequestLineHasSingleSpacesAndNothingAfterTheVersion() {
    for (String bad : new String[] {"INVITE  sip:+15550100001@127.0.0.1 SIP/2.0", "INVITE sip:+15550100001@127.0.0.1  SIP/2.0",
        "INVITE sip:+15550100001@127.0.0.1 SIP/2.0 ", "INVITE\tsip:+15550100001@127.0.0.1 SIP/2.0", " INVITE sip:x@y SIP/2.0",
        "INVITE sip:x@y"}) {
      assertNotNull(problem(invite(bad, "<sip:a@b>;tag=1", "<sip:x@y>", null)), "[" + bad + "]");
    }
  }

  @Test
  void displayNamesWithSeparatorsMustBeQuoted() {
    assertEquals("From: a display name with separators must be quoted",
        problem(invite(LINE, "Bell, Alexander <sip:a.g.bell@example.com>;tag=43", "<sip:x@y>", null)));
    assertNotNull(problem(invite(LINE, "<sip:a@b>;tag=1", "Watson, Thomas <sip:t.watson@example.org>", null)));
    assertNotNull(problem(invite(LINE, "<sip:a@b>;tag=1", "<sip:x@y>", "Bell, Alexander <sip:a@h>")));
    assertNotNull(problem(invite(LINE, "Dr. J@ne <sip:a@b>;tag=1", "<sip:x@y>", null)), "@ is no token character");
  }

  @Test
  void noSpacesInsideAngleBracketsAndUriHeadersOnlyInsideThem() {
    assertNotNull(problem(invite(LINE, "<sip:a@b>;tag=1", "\"Watson, Thomas\" < sip:t.watson@example.org >", null)));
    assertNotNull(problem(invite(LINE, "<sip:a@b>;tag=1", "<sip:x@y>", "sip:user@example.com?Route=%3Csip:sip.example.com%3E")));
    assertNull(problem(invite(LINE, "<sip:a@b>;tag=1", "<sip:x@y>", "<sip:user@example.com?Route=%3Csip:sip.example.com%3E>")));
  }

  @Test
  void singleValueFieldsOnlyOnceWhateverTheirSpelling() {
    String ok = invite(LINE, "<sip:a@b>;tag=1", "<sip:x@y>", null);
    assertEquals("more than one Call-ID", problem(ok + "i: another@127.0.0.1\n"));
    assertEquals("more than one CSeq", problem(ok + "CSeq: 2 INVITE\n"));
    assertEquals("more than one To", problem(ok + "t: <sip:z@y>\n"));
    assertEquals("more than one Content-Length", problem(ok + "l: 5\n"));
    assertEquals("more than one Max-Forwards", problem(ok + "Max-Forwards: 5\n"));
    assertNull(problem(ok + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-2\nRoute: <sip:a@b;lr>\nRoute: <sip:c@d;lr>\n"),
        "Via and Route may repeat");
  }

  @Test
  void linesEndingInLfAloneAsJainSipsTcpReaderPassesThem() {
    String ok = invite(LINE, "<sip:a@b>;tag=1", "<sip:x@y>", "<sip:a@127.0.0.1>");
    assertNull(RawRequestCheck.problem((ok + "\n").getBytes(StandardCharsets.US_ASCII)));
    assertNotNull(RawRequestCheck.problem((ok.replace("SIP/2.0\n", "SIP/2.0 \n") + "\n").getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void onlyTheHeaderSectionIsRead() {
    String register = "REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-3\n"
        + "From: <sip:a@b>;tag=1\nTo: <sip:a@b>\nCall-ID: dbl\nCSeq: 8 REGISTER\nContent-Length: 0\n\n"
        + "INVITE  sip:joe@example.com SIP/2.0\nCall-ID: second\n";
    assertNull(problem(register), "octets after the message (RFC 4475 dblreq) are not its headers");
  }

  /** The header section as the check saw it when it decoded the whole message (before headLength). */
  static String headOfWholeMessage(byte[] m) {
    String text = new String(m, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    int start = 0;
    while (text.startsWith("\n", start)) start++;
    int end = text.indexOf("\n\n", start);
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  static String headOfHeadLength(byte[] m) {
    String text = new String(m, 0, RawRequestCheck.headLength(m, m.length), StandardCharsets.ISO_8859_1)
        .replace("\r\n", "\n");
    int start = 0;
    while (text.startsWith("\n", start)) start++;
    int end = text.indexOf("\n\n", start);
    return end < 0 ? text.substring(start) : text.substring(start, end);
  }

  @Test
  void onlyTheHeaderSectionIsDecodedAndItIsTheSameAsBefore() {
    String head = invite(LINE, "<sip:alice@127.0.0.1>;tag=1", "<sip:+15550100001@127.0.0.1>", null);
    String[] messages = {
        head.replace("\n", "\r\n") + "\r\nv=0\r\nFrom: not a header <sip:x@y>\r\n",  // CRLF, body with a "header"
        head + "\nv=0\n",                                                              // LF only (jain-sip's TCP reader)
        "\r\n\r\n\n" + head.replace("\n", "\r\n") + "\r\n",                               // leading empty lines
        head.replace("\n", "\r\n"),                                                    // no empty line at all
        head.replace("\n", "\r\r\n") + "\r\r\nbody",                                       // CR before CRLF stays in the line
        head.replace("\n", "\n\r") + "\n\r\n",                                             // LF CR: mixed endings
        "\n\n", "", "\r", "\r\n\r",
    };
    for (String m : messages) {
      byte[] bytes = m.getBytes(StandardCharsets.ISO_8859_1);
      assertEquals(headOfWholeMessage(bytes), headOfHeadLength(bytes), m);
    }
    byte[] crlf = messages[0].getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(messages[0].indexOf("\r\n\r\n"), RawRequestCheck.headLength(crlf, crlf.length));
    byte[] lf = messages[1].getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(messages[1].indexOf("\n\n"), RawRequestCheck.headLength(lf, lf.length));
    // a "header" in the body is not looked at
    assertNull(RawRequestCheck.problem(messages[0].getBytes(StandardCharsets.ISO_8859_1)));
  }
}

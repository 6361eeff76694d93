package dev.mileage.gateway.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.mileage.gateway.sip.TortureCase.DROPPED;
import static dev.mileage.gateway.sip.TortureCase.sdp;
import static dev.mileage.gateway.sip.TortureCase.valid;

/**
 * RFC 4475 section 3.1.1, every valid message, with the answer this gateway (a UAS to its subscribers)
 * owes it. Parsers must accept all of them; what the application then answers follows from RFC 3261:
 * an unauthenticated INVITE or REGISTER is challenged (401), an unknown method gets 501, OPTIONS 200.
 */
final class TortureValid {
  private TortureValid() {
  }

  static List<TortureCase> all() {
    return List.of(
        // 3.1.1.1: folding, odd case, LWS everywhere, leading zeros; a To tag makes it a mid-dialog
        // request for a dialog we do not have: 481 (RFC 3261 12.2.2)
        valid("wsinv", "3.1.1.1", 481, """
            INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
            TO :
             sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
            from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>
              ;
              tag = 98asjd8
            MaX-fOrWaRdS: 0068
            Call-ID: wsinv.ndaksdj@192.0.2.1
            Content-Length   : %CL%
            cseq: 0009
              INVITE
            Via  : SIP  /   2.0
             /UDP
                %VIA%;branch=390skdjuw
            s :
            NewFangledHeader:   newfangled value
             continued newfangled value
            UnknownHeaderWithUnusualValue: ;;,,;;,;
            Content-Type: application/sdp
            Route:
             <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
            v:  SIP  / 2.0  / TCP     spindle.example.com   ;
              branch  =   z9hG4bK9ikj8  ,
             SIP  /    2.0   / UDP  192.168.255.111   ; branch=
             z9hG4bK30239
            m:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =
                  newvalue ;
              secondparam ; q = 0.33
            """, sdp("192.0.2.3")),
        // 3.1.1.2: every token character in method, URI, tags and Call-ID: a method we do not know (501)
        valid("intmeth", "3.1.1.2", 501, """
            !interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK-.!%66*_+`'~
            To: "BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007F" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>
            From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%="\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439";tag=_token~1'+`*%!-.
            Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/"][?}{
            CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
            Max-Forwards: 255
            extensionHeader-!.%*+_`'~:\uFEFF\u5927\u505C\u96FB
            Content-Length: 0
            """, null),
        // 3.1.1.3: % HEX HEX in URIs; a well-formed new INVITE: challenged
        valid("esc01", "3.1.1.3", 401, """
            INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
            To: sip:%75se%72@example.com
            From: <sip:I%20have%20spaces@example.net>;tag=938
            Max-Forwards: 87
            i: esc01.239409asdfakjkn23onasd0-3234
            CSeq: 234234 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            C: application/sdp
            Contact:
              <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
            Content-Length: %CL%
            """, sdp("192.0.2.1")),
        // 3.1.1.4: escaped NULs in user parts; a well-formed REGISTER: challenged
        valid("escnull", "3.1.1.4", 401, """
            REGISTER sip:example.com SIP/2.0
            To: sip:null-%00-null@example.com
            From: sip:null-%00-null@example.com;tag=839923423
            Max-Forwards: 70
            Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
            CSeq: 14398234 REGISTER
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Contact: <sip:%00@host5.example.com>
            Contact: <sip:%00%00@host5.example.com>
            L:0
            """, null),
        // 3.1.1.5: % that is not an escape: the method is RE%47IST%45R, not REGISTER; an endpoint answers 501
        valid("esc02", "3.1.1.5", 501, """
            RE%47IST%45R sip:registrar.example.com SIP/2.0
            To: "%Z%45" <sip:resource@example.com>
            From: "%Z%45" <sip:resource@example.com>;tag=f232jadfj23
            Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK209%fzsnel234
            CSeq: 29344 RE%47IST%45R
            Max-Forwards: 70
            Contact: <sip:alias1@host1.example.com>
            C%6Fntact: <sip:alias2@host2.example.com>
            Contact: <sip:alias3@host3.example.com>
            l: 0
            """, null),
        // 3.1.1.6: no LWS between display name and <: to be accepted
        valid("lwsdisp", "3.1.1.6", 200, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: caller<sip:caller@example.com>;tag=323
            Max-Forwards: 70
            Call-ID: lwsdisp.1234abcd@funky.example.com
            CSeq: 60 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            l: 0
            """, null),
        // 3.1.1.7: very long values and 34 Via values in every spelling of the name: challenged
        valid("longreq", "3.1.1.7", 401, longreq(), sdp("192.0.2.1")),
        // 3.1.1.8: a REGISTER and, in the same datagram after it, octets that look like an INVITE: noise
        // to be ignored (RFC 3261 18.3); only the REGISTER is answered
        new TortureCase("dblreq", "3.1.1.8", 401, true, """
            REGISTER sip:example.com SIP/2.0
            To: sip:j.user@example.com
            From: sip:j.user@example.com;tag=43251j3j324
            Max-Forwards: 8
            I: dblreq.0ha0isndaksdj99sdfafnl3lk233412
            Contact: sip:j.user@host.example.com
            CSeq: 8 REGISTER
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw23492
            Content-Length: 0
            """, TortureCase.utf8("""
            INVITE sip:joe@example.com SIP/2.0
            t: sip:joe@example.com
            From: sip:caller@example.net;tag=141334
            Max-Forwards: 8
            Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw380234
            Content-Type: application/sdp
            Content-Length: 150

            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.15
            s=-
            c=IN IP4 192.0.2.15
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m =video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """)),
        // 3.1.1.9: the user part is "user;par=u@example.net"
        valid("semiuri", "3.1.1.9", 200, """
            OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
            To: sip:j_user@example.com
            From: sip:caller@example.org;tag=33242
            Max-Forwards: 3
            Call-ID: semiuri.0ha0isndaksdj
            CSeq: 8 OPTIONS
            Accept: application/sdp, application/pkcs7-mime,
                    multipart/mixed, multipart/signed,
                    message/sip, message/sipfrag
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            l: 0
            """, null),
        // 3.1.1.10: Via values with every transport, one unknown: processed as usual
        valid("transports", "3.1.1.10", 200, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: <sip:caller@example.com>;tag=323
            Max-Forwards: 70
            Call-ID:  transports.kijh4akdnaqjkwendsasfdj
            Accept: application/sdp
            CSeq: 60 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
            Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
            Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
            Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee
            l: 0
            """, null),
        // 3.1.1.11: a MESSAGE with a binary body part holding NULs; framed by Content-Length. This gateway
        // takes no MESSAGE from phones: 405 with Allow
        new TortureCase("mpart01", "3.1.1.11", 405, true, """
            MESSAGE sip:kumiko@example.org SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport
            Max-Forwards: 70
            Route: <sip:127.0.0.1:5080>
            Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=
            Contact: <sip:fluffy@127.0.0.1:5070>
            To: <sip:kumiko@example.org>
            From: <sip:fluffy@example.com>;tag=2fb0dcc9
            Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..
            CSeq: 1 MESSAGE
            Content-Transfer-Encoding: binary
            Content-Type: multipart/mixed;boundary=7a9cbec02ceef655
            Date: Sat, 15 Oct 2005 04:44:56 GMT
            User-Agent: SIPimp.org/0.2.5 (curses)
            Content-Length: %CL%
            """, multipart()),
        // 3.1.1.12 and 3.1.1.13: well-formed responses, but to nothing we sent: dropped (RFC 3261 17.1.3)
        valid("unreason", "3.1.1.12", DROPPED, """
            SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u043f\u0440\u043e\u0441\u0442\u043e\u0435
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK1324923
            Call-ID: unreason.1234ksdfak3j2erwedfsASdf
            CSeq: 35 INVITE
            From: sip:user@example.com;tag=11141343
            To: sip:user@example.edu;tag=2229
            Content-Length: %CL%
            Content-Type: application/sdp
            Contact: <sip:user@host198.example.com>
            """, sdp("192.0.2.198")),
        valid("noreason", "3.1.1.13", DROPPED, """
            SIP/2.0 100\s
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK2398ndaoe
            Call-ID: noreason.asndj203insdf99223ndf
            CSeq: 35 INVITE
            From: <sip:user@example.com>;tag=39ansfi3
            To: <sip:user@example.edu>;tag=902jndnke3
            Content-Length: 0
            Contact: <sip:user@host105.example.com>
            """, null));
  }

  private static String longreq() {
    String ext = "extreme".repeat(10);
    String longValue = "very" + "long".repeat(20) + "value";
    String names = "name".repeat(24);
    String caller = "amazinglylongcallername".repeat(5);
    String unknown = "long".repeat(20);
    StringBuilder vias = new StringBuilder();
    String[] spellings = {"Via: ", "v: ", "V: ", "Via: ", "ViA: ", "VIa: ", "VIA: ", "via: ", "viA: ", "vIa: ", "vIA: ",
        "V :  ", "v :  ", "V  : ", "v  : ", "Via : ", "Via  : "};
    for (int i = 33; i >= 1; i--) {
      String name = 33 - i < spellings.length ? spellings[33 - i] : "Via: ";
      vias.append(name).append("SIP/2.0/TCP sip").append(i).append(".example.com\n");
    }
    return "INVITE sip:user@example.com SIP/2.0\n"
        + "To: \"I have a user name of " + ext + " proportion\"<sip:user@example.com:6000;unknownparam1=" + longValue
        + ";longparam" + names + "=shortvalue;very" + "long".repeat(25) + "ParameterNameWithNoValue>\n"
        + "F: sip:" + caller + "@example.net;tag=12982982982982982982982982982982982982982982982982982982982982982982982"
        + "982982982982982982982982982982982982982982982982982982982982982982982982982982982982424;unknownheaderparam"
        + "name".repeat(20) + "=unknowheaderparam" + "value".repeat(15) + ";unknownValueless" + "paramname".repeat(10) + "\n"
        + "Call-ID: longreq.one" + "really".repeat(20) + "longcallid\n"
        + "CSeq: 3882340 INVITE\n"
        + "Unknown-" + "Long".repeat(20) + "-Name: unknown-" + unknown + "-value; unknown-" + unknown
        + "-parameter-name = unknown-" + unknown + "-parameter-value\n"
        + "Via: SIP/2.0/UDP %VIA%;branch=very" + "long".repeat(50) + "branchvalue\n"
        + vias
        + "Max-Forwards: 70\n"
        + "Contact: <sip:" + caller + "@host5.example.net>\n"
        + "Content-Type: application/sdp\n"
        + "l: %CL%\n";
  }

  /** Two parts; the second is binary and holds NUL octets, as the RFC's S/MIME blob does. */
  private static byte[] multipart() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("--7a9cbec02ceef655\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nHello\r\n"
        + "--7a9cbec02ceef655\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 256; i++) b.write(i == 0x0D || i == 0x0A ? 0 : i);
    b.writeBytes("\r\n--7a9cbec02ceef655--\r\n".getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }
}

package dev.mileage.gateway.sip;

import java.util.List;

import static dev.mileage.gateway.sip.TortureCase.DROPPED;
import static dev.mileage.gateway.sip.TortureCase.invalid;
import static dev.mileage.gateway.sip.TortureCase.sdp;
import static dev.mileage.gateway.sip.TortureCase.valid;

/**
 * RFC 4475 sections 3.2 to 3.4 (transaction layer, application semantics, RFC 2543 compatibility) as
 * far as a UAS answers them, and a few messages of our own (size limit, garbage, keep-alive, an INVITE
 * whose body we cannot use).
 */
final class TortureApplication {
  private TortureApplication() {
  }

  static List<TortureCase> all() {
    return List.of(
        // 3.2.1: a branch that is only the magic cookie: still a request to answer
        valid("badbranch", "3.2.1", 200, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.org;tag=33242
            Max-Forwards: 3
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK
            Accept: application/sdp
            Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n
            CSeq: 8 OPTIONS
            l: 0
            """, null),
        // 3.3.1: no Call-ID, From or To: 400, matched by the client through its Via branch and CSeq
        invalid("insuf", "3.3.1", 400, """
            INVITE sip:user@example.com SIP/2.0
            CSeq: 193942 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdj.insuf
            Content-Type: application/sdp
            l: %CL%
            """, sdp("192.0.2.95")),
        // ours: no Call-ID, From, To and no CSeq either: still 400, which the client matches by its branch and
        // its own method (RFC 3261 17.1.3)
        invalid("insufnocseq", "-", 400, """
            INVITE sip:user@example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdj.insufnocseq
            Content-Type: application/sdp
            l: %CL%
            """, sdp("192.0.2.95")),
        // 3.3.2 and 3.3.3: a Request-URI scheme we cannot serve: 416
        valid("unkscm", "3.3.2", 416, """
            OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=384
            Max-Forwards: 3
            Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34
            CSeq: 3923423 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw39234
            Content-Length: 0
            """, null),
        valid("novelsc", "3.3.3", 416, """
            OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=384
            Max-Forwards: 3
            Call-ID: novelsc.asdfasser0q239nwsdfasdkl34
            CSeq: 3923423 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw39234
            Content-Length: 0
            """, null),
        // 3.3.5: Require with extensions nobody supports: 420 naming them
        valid("bext01", "3.3.5", 420, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:j_user@example.com
            From: sip:caller@example.net;tag=242etr
            Max-Forwards: 6
            Call-ID: bext01.0ha0isndaksdj
            Require: nothingSupportsThis, nothingSupportsThisEither
            Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis
            CSeq: 8 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Content-Length: 0
            """, null),
        // 3.3.6: a body type we do not understand: 415 with Accept
        valid("invut", "3.3.6", 415, """
            INVITE sip:user@example.com SIP/2.0
            Contact: <sip:caller@host5.example.net>
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=8392034
            Max-Forwards: 70
            Call-ID: invut.0ha0isndaksdjadsfij34n23d
            CSeq: 235448 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Content-Type: application/unknownformat
            Content-Length: %CL%
            """, """
            <audio>
             <pcmu port="443"/>
            </audio>
            """),
        // 3.3.7: an authorization scheme nobody knows: challenged like any request without credentials
        valid("regaut01", "3.3.7", 401, """
            REGISTER sip:example.com SIP/2.0
            To: sip:j.user@example.com
            From: sip:j.user@example.com;tag=87321hj23128
            Max-Forwards: 8
            Call-ID: regaut01.0ha0isndaksdj
            CSeq: 9338 REGISTER
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Authorization: NoOneKnowsThisScheme opaque-data=here
            Content-Length:0
            """, null),
        // 3.3.8: several values in single-value fields (Call-ID, CSeq, To, From, Max-Forwards): 400
        invalid("multi01", "3.3.8", 400, """
            INVITE sip:user@company.com SIP/2.0
            Contact: <sip:caller@host25.example.net>
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Max-Forwards: 70
            CSeq: 5 INVITE
            Call-ID: multi01.98asdh@192.0.2.1
            CSeq: 59 INVITE
            Call-ID: multi01.98asdh@192.0.2.2
            From: sip:caller@example.com;tag=3413415
            To: sip:user@example.com
            To: sip:other@example.net
            From: sip:caller@example.net;tag=2923420123
            Content-Type: application/sdp
            l: %CL%
            Contact: <sip:caller@host36.example.net>
            Max-Forwards: 5
            """, sdp("192.0.2.25")),
        // 3.3.9: two Content-Length values: nobody can know where the body ends: 400
        invalid("mcl01", "3.3.9", 400, """
            OPTIONS sip:user@example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK293423
            To: sip:user@example.com
            From: sip:other@example.net;tag=3923942
            Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf
            CSeq: 15932 OPTIONS
            Content-Length: 13
            Max-Forwards: 60
            Content-Length: 5
            Content-Type: text/plain
            """, "There's no way to know how many octets are supposed to be here.\n"),
        // 3.3.11: Max-Forwards 0 on an OPTIONS addressed to us: a UAS answers it
        valid("zeromf", "3.3.11", 200, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=3ghsd41
            Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas
            CSeq: 39234321 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw2349i
            Max-Forwards: 0
            Content-Length: 0
            """, null),
        // 3.3.12 to 3.3.14: REGISTERs with unusual but valid Contacts: challenged
        valid("cparam01", "3.3.12", 401, """
            REGISTER sip:example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Max-Forwards: 70
            From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe
            To: sip:watson@example.com
            Call-ID: cparam01.70710@saturn.example.com
            CSeq: 2 REGISTER
            Contact: sip:+19725552222@gw1.example.net;unknownparam
            l: 0
            """, null),
        valid("cparam02", "3.3.13", 401, """
            REGISTER sip:example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Max-Forwards: 70
            From: sip:watson@example.com;tag=838293
            To: sip:watson@example.com
            Call-ID: cparam02.70710@saturn.example.com
            CSeq: 3 REGISTER
            Contact: <sip:+19725552222@gw1.example.net;unknownparam>
            l: 0
            """, null),
        valid("regescrt", "3.3.14", 401, """
            REGISTER sip:example.com SIP/2.0
            To: sip:user@example.com
            From: sip:user@example.com;tag=8
            Max-Forwards: 70
            Call-ID: regescrt.k345asrl3fdbv@192.0.2.1
            CSeq: 14398234 REGISTER
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>
            L:0
            """, null),
        // 3.3.15: an Accept we cannot satisfy; authentication comes first here
        valid("sdp01", "3.3.15", 401, """
            INVITE sip:user@example.com SIP/2.0
            To: sip:j_user@example.com
            Contact: <sip:caller@host15.example.net>
            From: sip:caller@example.net;tag=234
            Max-Forwards: 5
            Call-ID: sdp01.ndaksdj9342dasdd
            Accept: text/nobodyKnowsThis
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Content-Length: %CL%
            Content-Type: application/sdp
            """, sdp("192.0.2.5")),
        // 3.4.1: RFC 2543 syntax (no branch, no From tag, no Max-Forwards): still answered, challenged
        valid("inv2543", "3.4.1", 401, """
            INVITE sip:UserB@example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%
            From: <sip:+13035551111@ift.client.example.net;user=phone>
            Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>
            To: sip:+16505552222@ss1.example.net;user=phone
            Call-ID: inv2543.1717@ift.client.example.com
            CSeq: 56 INVITE
            Content-Type: application/sdp
            Content-Length: %CL%
            """, """
            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.5
            s=-
            c=IN IP4 192.0.2.5
            t=0 0
            m=audio 49217 RTP/AVP 0
            """),
        // not RFC 4475: over our size limit (over UDP dropped unread; over TCP jain-sip answers 513),
        // binary garbage, a CRLF keep-alive (RFC 5626 3.5.1)
        invalid("oversized", "-", DROPPED, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.org;tag=1
            Max-Forwards: 70
            Call-ID: oversized.1
            CSeq: 1 OPTIONS
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKbig
            X-Padding: %PAD%
            l: 0
            """.replace("%PAD%", "x".repeat(20_000)), null),
        new TortureCase("garbage", "-", DROPPED, false, "", garbage()),
        new TortureCase("keepalive", "-", DROPPED, false, "", "\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
  }

  private static byte[] garbage() {
    byte[] g = new byte[512];
    new java.util.Random(4475).nextBytes(g);
    return g;
  }
}

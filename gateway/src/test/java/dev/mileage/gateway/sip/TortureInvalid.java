package dev.mileage.gateway.sip;

import java.util.List;

import static dev.mileage.gateway.sip.TortureCase.DROPPED;
import static dev.mileage.gateway.sip.TortureCase.invalid;
import static dev.mileage.gateway.sip.TortureCase.sdp;

/**
 * RFC 4475 section 3.1.2, every invalid message, with the answer the RFC names. Where the RFC lets an
 * element either reject or be liberal (lwsstart, trws, escruri, regbadct, badaspec, baddn) this gateway
 * rejects with 400: it forwards nothing of the caller's message, but a billing front door has no reason
 * to guess what a malformed request meant. baddate is the exception the RFC itself makes: the Date is of
 * no use to us, so the INVITE is processed (and challenged).
 */
final class TortureInvalid {
  private TortureInvalid() {
  }

  static List<TortureCase> all() {
    return List.of(
        invalid("badinv01", "3.1.2.1", 400, """
            INVITE sip:user@example.com SIP/2.0
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=134161461246
            Max-Forwards: 7
            Call-ID: badinv01.0ha0isndaksdjasdf3234nas
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;;,;,,
            Contact: "Joe" <sip:joe@example.org>;;;;
            Content-Length: %CL%
            Content-Type: application/sdp
            """, sdp("192.0.2.15")),
        // over UDP a Content-Length beyond the datagram is answered 400
        invalid("clerr", "3.1.2.2", 400, """
            INVITE sip:user@example.com SIP/2.0
            Max-Forwards: 80
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=93942939o2
            Contact: <sip:caller@hungry.example.net>
            Call-ID: clerr.0ha0isndaksdjweiafasdk3
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK-39234-23523
            Content-Type: application/sdp
            Content-Length: 9999
            """, sdp("192.0.2.155")),
        invalid("ncl", "3.1.2.3", 400, """
            INVITE sip:user@example.com SIP/2.0
            Max-Forwards: 254
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=32394234
            Call-ID: ncl.0ha0isndaksdj2193423r542w35
            CSeq: 0 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Contact: <sip:caller@example53.example.net>
            Content-Type: application/sdp
            Content-Length: -999
            """, sdp("192.0.2.53")),
        // 400 for the CSeq beyond 2**31
        invalid("scalar02", "3.1.2.4", 400, """
            REGISTER sip:example.com SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK342sdfoi3
            To: <sip:user@example.com>
            From: <sip:user@example.com>;tag=239232jh3
            CSeq: 36893488147419103232 REGISTER
            Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
            Max-Forwards: 300
            Expires: 1%s
            Contact: <sip:user@host129.example.com>
              ;expires=280297596632815
            Content-Length: 0
            """.replace("%s", "0".repeat(100)), null),
        // a response: simply discarded
        invalid("scalarlg", "3.1.2.5", DROPPED, """
            SIP/2.0 503 Service Unavailable
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKzzxdiwo34sw
            To: <sip:user@example.com>
            From: <sip:other@example.net>;tag=2easdjfejw
            CSeq: 9292394834772304023312 OPTIONS
            Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r
            Retry-After: 949302838503028349304023988
            Warning: 1812 overture "In Progress"
            Content-Length: 0
            """, null),
        invalid("quotbal", "3.1.2.6", 400, """
            INVITE sip:user@example.com SIP/2.0
            To: "Mr. J. User <sip:j.user@example.com>
            From: sip:caller@example.net;tag=93334
            Max-Forwards: 10
            Call-ID: quotbal.aksdj
            Contact: <sip:caller@host59.example.net>
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw39234
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.15")),
        invalid("ltgtruri", "3.1.2.7", 400, """
            INVITE <sip:user@example.com> SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=39291
            Max-Forwards: 23
            Call-ID: ltgtruri.1@192.0.2.5
            CSeq: 1 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK-ltgtruri
            Contact: <sip:caller@host5.example.net>
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.5")),
        invalid("lwsruri", "3.1.2.8", 400, """
            INVITE sip:user@example.com; lr SIP/2.0
            To: sip:user@example.com;tag=3xfe-9921883-z9f
            From: sip:caller@example.net;tag=231413434
            Max-Forwards: 5
            Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423
            CSeq: 2130706432 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw2395
            Contact: <sip:caller@host1.example.net>
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.1")),
        invalid("lwsstart", "3.1.2.9", 400, """
            INVITE  sip:user@example.com  SIP/2.0
            Max-Forwards: 8
            To: sip:user@example.com
            From: sip:caller@example.net;tag=8814
            Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
            CSeq: 1893884 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw3923
            Contact: <sip:caller@host1.example.net>
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.1")),
        invalid("trws", "3.1.2.10", 400, """
            OPTIONS sip:remote-target@example.com SIP/2.0\s\s
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK299342093
            To: <sip:remote-target@example.com>
            From: <sip:local-resource@example.com>;tag=329429089
            Call-ID: trws.oicu34958239neffasdhr2345r
            Accept: application/sdp
            CSeq: 238923 OPTIONS
            Max-Forwards: 70
            Content-Length: 0
            """, null),
        invalid("escruri", "3.1.2.11", 400, """
            INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=341518
            Max-Forwards: 7
            Contact: <sip:caller@host39923.example.net>
            Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5
            CSeq: 149209342 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.1")),
        invalid("baddate", "3.1.2.12", 401, """
            INVITE sip:user@example.com SIP/2.0
            To: sip:user@example.com
            From: sip:caller@example.net;tag=2234923
            Max-Forwards: 70
            Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234
            CSeq: 1392934 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Date: Fri, 01 Jan 2010 16:00:00 EST
            Contact: <sip:caller@host5.example.net>
            Content-Type: application/sdp
            Content-Length: %CL%
            """, sdp("192.0.2.5")),
        invalid("regbadct", "3.1.2.13", 400, """
            REGISTER sip:example.com SIP/2.0
            To: sip:user@example.com
            From: sip:user@example.com;tag=998332
            Max-Forwards: 70
            Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
            CSeq: 1 REGISTER
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E
            l: 0
            """, null),
        invalid("badaspec", "3.1.2.14", 400, """
            OPTIONS sip:user@example.org SIP/2.0
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdju43234
            Max-Forwards: 70
            From: "Bell, Alexander" <sip:a.g.bell@example.com>;tag=433423
            To: "Watson, Thomas" < sip:t.watson@example.org >
            Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3
            Accept: application/sdp
            CSeq: 3923239 OPTIONS
            l: 0
            """, null),
        invalid("baddn", "3.1.2.15", 400, """
            OPTIONS sip:t.watson@example.org SIP/2.0
            Via:     SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Max-Forwards:      70
            From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43
            To:      Watson, Thomas <sip:t.watson@example.org>
            Call-ID: baddn.31415@c.example.com
            Accept: application/sdp
            CSeq:    3923239 OPTIONS
            l: 0
            """, null),
        invalid("badvers", "3.1.2.16", 505, """
            OPTIONS sip:t.watson@example.org SIP/7.0
            Via:     SIP/7.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Max-Forwards:     70
            From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
            To:      T. Watson <sip:t.watson@example.org>
            Call-ID: badvers.31417@c.example.com
            CSeq:    1 OPTIONS
            l: 0
            """, null),
        invalid("mismatch01", "3.1.2.17", 400, """
            OPTIONS sip:user@example.com SIP/2.0
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=34525
            Max-Forwards: 6
            Call-ID: mismatch01.dj0234sxdfl3
            CSeq: 8 INVITE
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            l: 0
            """, null),
        // the RFC prefers 501 and accepts 400; jain-sip answers the CSeq mismatch with 400 itself, before
        // any application sees the request (UDPMessageChannel), so 400 it is
        invalid("mismatch02", "3.1.2.18", 400, """
            NEWMETHOD sip:user@example.com SIP/2.0
            To: sip:j.user@example.com
            From: sip:caller@example.net;tag=34525
            Max-Forwards: 6
            Call-ID: mismatch02.dj0234sxdfl3
            CSeq: 8 INVITE
            Contact: <sip:caller@host.example.net>
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bKkdjuw
            Content-Type: application/sdp
            l: %CL%
            """, """
            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.1
            c=IN IP4 192.0.2.1
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """),
        // a response with a status code beyond 699: dropped
        invalid("bigcode", "3.1.2.19", DROPPED, """
            SIP/2.0 4294967301 better not break the receiver
            Via: SIP/2.0/UDP %VIA%;branch=z9hG4bK2398ndaoe
            Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
            CSeq: 353494 INVITE
            From: <sip:user@example.com>;tag=39ansfi3
            To: <sip:user@example.edu>;tag=902jndnke3
            Content-Length: 0
            Contact: <sip:user@host105.example.com>
            """, null));
  }
}

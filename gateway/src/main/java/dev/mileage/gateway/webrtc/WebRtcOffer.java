package dev.mileage.gateway.webrtc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a browser's SDP offer says about its audio, checked: DTLS-SRTP with a sha-256 fingerprint, ICE
 * credentials, rtcp-mux, and G.711 among its codecs. Plain RTP/AVP (no encryption) is refused: the
 * browser leg is encrypted or not at all.
 */
public record WebRtcOffer(Check check, String iceUfrag, String icePwd, Fingerprint fingerprint, String setup,
                          String mid, int codec, int telephoneEvent, java.util.Set<Integer> g711) {
  /** Why an offer cannot be answered; each maps to 488 Not Acceptable Here with this reason in words. */
  public enum Check {
    OK("ok"),
    MALFORMED("malformed SDP"),
    NO_AUDIO("no audio stream"),
    NOT_DTLS_SRTP("the audio stream is not UDP/TLS/RTP/SAVPF (plain RTP is not accepted from browsers)"),
    NO_FINGERPRINT("no sha-256 a=fingerprint"),
    NO_ICE("no ICE credentials"),
    NO_RTCP_MUX("rtcp-mux is required"),
    NO_G711("neither PCMU nor PCMA offered");

    public final String words;

    Check(String words) {
      this.words = words;
    }
  }

  public static final int PCMU = 0;
  public static final int PCMA = 8;
  static final int SDP_BYTES_MAX = 16 * 1024;
  /** ICE credentials limits from RFC 8839 5.4 (ufrag 4-256 chars, pwd 22-256). */
  static final int ICE_CHARS_MAX = 256;

  /** Whether the offer lists G.711 payload type {@code pt} (PCMU or PCMA). */
  public boolean offers(int pt) {
    return g711.contains(pt);
  }

  public boolean ok() {
    return check == Check.OK;
  }

  /** Whether we take the DTLS server role: the browser is active or lets us choose (actpass). */
  public boolean weAreDtlsServer() {
    return !"passive".equals(setup);
  }

  static WebRtcOffer refused(Check c) {
    return new WebRtcOffer(c, null, null, null, null, null, -1, -1, java.util.Set.of());
  }

  public static WebRtcOffer parse(String sdp) {
    if (sdp == null || sdp.isEmpty() || sdp.length() > SDP_BYTES_MAX) return refused(Check.MALFORMED);
    String ufrag = null;
    String pwd = null;
    String fp = null;
    String setup = null;
    String mid = null;
    boolean mux = false;
    boolean inAudio = false;
    boolean seenAudio = false;
    String proto = null;
    List<Integer> formats = new ArrayList<>();
    int event = -1;
    for (String line : sdp.split("\r?\n")) {
      if (line.startsWith("m=")) {
        if (seenAudio) {
          inAudio = false;
          continue;
        }
        inAudio = line.startsWith("m=audio ");
        if (!inAudio) continue;
        seenAudio = true;
        String[] f = line.substring(2).trim().split(" +");
        if (f.length < 4) return refused(Check.MALFORMED);
        proto = f[2];
        for (int i = 3; i < f.length; i++) {
          try {
            formats.add(Integer.parseInt(f[i]));
          } catch (NumberFormatException e) {
            return refused(Check.MALFORMED);
          }
        }
        continue;
      }
      if (!line.startsWith("a=") || (seenAudio && !inAudio)) continue;
      String a = line.substring(2).trim();
      String lower = a.toLowerCase(Locale.ROOT);
      if (lower.startsWith("ice-ufrag:")) ufrag = a.substring(10).trim();
      else if (lower.startsWith("ice-pwd:")) pwd = a.substring(8).trim();
      else if (lower.startsWith("fingerprint:")) {
        Fingerprint parsed = Fingerprint.parse(a.substring(12));
        if (parsed != null) fp = a.substring(12);
      } else if (lower.startsWith("setup:")) setup = lower.substring(6).trim();
      else if (lower.startsWith("mid:") && inAudio) mid = a.substring(4).trim();
      else if (lower.equals("rtcp-mux") && inAudio) mux = true;
      else if (inAudio && lower.startsWith("rtpmap:") && lower.contains(" telephone-event/8000")) {
        try {
          event = Integer.parseInt(a.substring(7, a.indexOf(' ')));
        } catch (RuntimeException e) {
          return refused(Check.MALFORMED);
        }
      }
    }
    if (!seenAudio) return refused(Check.NO_AUDIO);
    if (!"UDP/TLS/RTP/SAVPF".equalsIgnoreCase(proto) && !"UDP/TLS/RTP/SAVP".equalsIgnoreCase(proto)) {
      return refused(Check.NOT_DTLS_SRTP);
    }
    if (fp == null) return refused(Check.NO_FINGERPRINT);
    if (ufrag == null || pwd == null || ufrag.length() < 4 || pwd.length() < 22
        || ufrag.length() > ICE_CHARS_MAX || pwd.length() > ICE_CHARS_MAX || ufrag.contains(":")) {
      return refused(Check.NO_ICE);
    }
    if (!mux) return refused(Check.NO_RTCP_MUX);
    int codec = -1;
    for (int pt : formats) {
      if (pt == PCMU || pt == PCMA) {
        codec = pt; // the browser's preference order decides between PCMU and PCMA
        break;
      }
    }
    if (codec < 0) return refused(Check.NO_G711);
    if (setup == null) setup = "actpass";
    if (!setup.equals("actpass") && !setup.equals("active") && !setup.equals("passive")) return refused(Check.MALFORMED);
    java.util.Set<Integer> g711 = new java.util.HashSet<>();
    for (int pt : formats) if (pt == PCMU || pt == PCMA) g711.add(pt);
    return new WebRtcOffer(Check.OK, ufrag, pwd, Fingerprint.parse(fp), setup, mid, codec,
        formats.contains(event) ? event : -1, java.util.Set.copyOf(g711));
  }
}

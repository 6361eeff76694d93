package dev.mileage.gateway.media;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Offer/answer bodies (RFC 3264) as the anchored gateway rewrites them for the other leg: our address
 * and port, our own origin line, only G.711 (PCMU 0, PCMA 8), RFC 4733 telephone-event and comfort noise
 * left in the audio stream (we relay, we never transcode), transport attributes of the far side (ICE,
 * crypto, rtcp) removed, and every other stream kept but rejected (port 0) so m-line counts still match.
 * Whether our SDP multiplexes RTCP on the RTP port ({@code a=rtcp-mux}, RFC 5761) is the caller's choice:
 * offers always do (5.1.1), answers only when the offer did (5.1.2).
 */
public final class SdpRewriter {
  public static final int PCMU = 0;
  public static final int PCMA = 8;
  public static final int CN = 13;
  public static final int SDP_BYTES_MAX = 8 * 1024;
  private static final Set<String> DROPPED_ATTRIBUTES = Set.of("candidate", "ice-ufrag", "ice-pwd", "ice-options",
      "ice-lite", "crypto", "fingerprint", "setup", "rtcp", "rtcp-mux", "ssrc", "ssrc-group", "mid", "group",
      "extmap", "msid", "msid-semantic", "end-of-candidates", "rtcp-fb", "rtcp-rsize");
  /** Compiled once: String.split compiles any pattern longer than one plain character on every call. */
  private static final Pattern LINES = Pattern.compile("\r?\n");
  private static final Pattern SPACES = Pattern.compile(" +");
  private static final Pattern ATTRIBUTE_NAME_END = Pattern.compile("[: ]");

  /** What one side's SDP says about its audio. {@code host} null when the body has no usable audio. */
  /**
   * {@code rtcpPort}: the port of the stream's {@code a=rtcp} (RFC 3605), 0 when absent (then RTP + 1);
   * {@code rtcpMux}: the stream has {@code a=rtcp-mux} (RFC 5761).
   */
  public record Audio(String host, int port, Set<Integer> payloadTypes, String direction, int rtcpPort,
                      boolean rtcpMux) {
    public boolean receives() {
      return port != 0 && !direction.equals("sendonly") && !direction.equals("inactive");
    }
  }

  private SdpRewriter() {
  }

  /** The first audio stream of {@code sdp} with only the payload types we relay; null if there is none. */
  public static Audio audio(String sdp) {
    if (sdp == null || sdp.length() > SDP_BYTES_MAX) return null;
    String sessionHost = null;
    String mediaHost = null;
    String sessionDirection = "sendrecv";
    String direction = null;
    int port = -1;
    int rtcpPort = 0;
    boolean rtcpMux = false;
    List<String> formats = List.of();
    Set<Integer> events = new LinkedHashSet<>();
    boolean inAudio = false;
    boolean seenAudio = false;
    for (String line : LINES.split(sdp)) {
      if (line.startsWith("m=")) {
        inAudio = !seenAudio && line.startsWith("m=audio ");
        if (inAudio) {
          seenAudio = true;
          String[] f = SPACES.split(line.substring(2).trim());
          if (f.length < 4 || !f[2].startsWith("RTP/AVP")) return null;
          try {
            port = Integer.parseInt(f[1].split("/")[0]);
          } catch (NumberFormatException e) {
            return null;
          }
          if (port < 0 || port > 65535) return null;
          formats = List.of(f).subList(3, f.length);
        }
      } else if (line.startsWith("c=")) {
        String[] f = SPACES.split(line.substring(2).trim());
        if (f.length < 3 || !f[0].equals("IN")) return null;
        String host = f[2].split("/")[0];
        if (!seenAudio) sessionHost = host;
        else if (inAudio) mediaHost = host;
      } else if (line.startsWith("a=")) {
        String a = line.substring(2).trim();
        String lower = a.toLowerCase(Locale.ROOT);
        if (isDirection(lower)) {
          if (!seenAudio) sessionDirection = lower;
          else if (inAudio) direction = lower;
        } else if (inAudio && lower.equals("rtcp-mux")) {
          rtcpMux = true;
        } else if (inAudio && lower.startsWith("rtcp:")) {
          // RFC 3605: "a=rtcp:port [nettype addrtype address]"; RTCP is relayed to the RTP host, so a
          // different address is not followed (the port is)
          try {
            int p = Integer.parseInt(SPACES.split(a.substring(5).trim())[0]);
            if (p < 1 || p > 65535) return null;
            rtcpPort = p;
          } catch (NumberFormatException e) {
            return null;
          }
        } else if (inAudio && lower.startsWith("rtpmap:") && lower.contains("telephone-event/8000")) {
          try {
            events.add(Integer.parseInt(a.substring(7, a.indexOf(' '))));
          } catch (RuntimeException e) {
            // a malformed rtpmap just does not count
          }
        }
      }
    }
    if (!seenAudio) return null;
    String host = mediaHost != null ? mediaHost : sessionHost;
    if (host == null) return null;
    Set<Integer> kept = new LinkedHashSet<>();
    for (String fmt : formats) {
      try {
        int pt = Integer.parseInt(fmt);
        if (pt == PCMU || pt == PCMA || pt == CN || events.contains(pt)) kept.add(pt);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    boolean hasG711 = kept.contains(PCMU) || kept.contains(PCMA);
    String dir = direction == null ? sessionDirection : direction;
    return new Audio(host, port, hasG711 ? kept : Set.of(), dir, rtcpPort, rtcpMux);
  }

  public static boolean hasG711(Audio audio) {
    return audio != null && (audio.payloadTypes().contains(PCMU) || audio.payloadTypes().contains(PCMA));
  }

  /**
   * The direction of the first audio stream of {@code sdp} (its own attribute, else the session's, else
   * sendrecv: RFC 3264 5.1), whatever its transport (plain RTP or DTLS-SRTP).
   */
  public static String direction(String sdp) {
    String session = "sendrecv";
    String media = null;
    boolean inAudio = false;
    boolean seenAudio = false;
    for (String line : LINES.split(sdp)) {
      if (line.startsWith("m=")) {
        inAudio = !seenAudio && line.startsWith("m=audio ");
        seenAudio |= inAudio;
      } else if (line.startsWith("a=")) {
        String a = line.substring(2).trim().toLowerCase(Locale.ROOT);
        if (!isDirection(a)) continue;
        if (!seenAudio) session = a;
        else if (inAudio) media = a;
      }
    }
    return media != null ? media : session;
  }

  /** What an answer says to an offer in {@code direction} when it goes along with it (RFC 3264 6.1). */
  public static String answering(String direction) {
    return switch (direction) {
      case "sendonly" -> "recvonly";
      case "recvonly" -> "sendonly";
      case "inactive" -> "inactive";
      default -> "sendrecv";
    };
  }

  /**
   * {@code sdp} with its direction attributes (session and audio level) replaced by one {@code direction}
   * at the end of the audio stream's attributes (SDP orders m=, c=, b=, then a= lines: RFC 8866 5).
   */
  public static String withDirection(String sdp, String direction) {
    if (!isDirection(direction)) throw new IllegalArgumentException("not an SDP direction: " + direction);
    StringBuilder out = new StringBuilder(sdp.length() + 16);
    boolean inAudio = false;
    boolean seenAudio = false;
    for (String line : LINES.split(sdp)) {
      if (line.isEmpty()) continue;
      if (line.startsWith("m=")) {
        if (inAudio) out.append("a=").append(direction).append("\r\n");
        inAudio = !seenAudio && line.startsWith("m=audio ");
        seenAudio |= inAudio;
      } else if (line.startsWith("a=") && isDirection(line.substring(2).trim().toLowerCase(Locale.ROOT))
          && (!seenAudio || inAudio)) {
        continue;
      }
      out.append(line).append("\r\n");
    }
    if (inAudio) out.append("a=").append(direction).append("\r\n");
    return out.toString();
  }

  private static boolean isDirection(String a) {
    return a.equals("sendrecv") || a.equals("sendonly") || a.equals("recvonly") || a.equals("inactive");
  }

  /**
   * {@code sdp} as the other leg must see it: our {@code host}/{@code port}, origin {@code sessionId}
   * {@code version} (grow it for each new offer on that leg), only the relayed payload types.
   */
  public static String rewrite(String sdp, String host, int port, long sessionId, long version) {
    return rewrite(sdp, host, port, sessionId, version, false);
  }

  /**
   * As {@link #rewrite(String, String, int, long, long)}, with {@code a=rtcp-mux} in the audio stream when
   * {@code rtcpMux}: in every offer we make, and in an answer to an offer that had it (RFC 5761 5.1).
   */
  public static String rewrite(String sdp, String host, int port, long sessionId, long version, boolean rtcpMux) {
    Audio audio = audio(sdp);
    if (audio == null || !hasG711(audio)) return null;
    StringBuilder out = new StringBuilder(sdp.length());
    boolean inAudio = false;
    boolean seenAudio = false;
    boolean wroteSessionC = false;
    for (String line : LINES.split(sdp)) {
      if (line.isEmpty()) continue;
      if (line.startsWith("o=")) {
        out.append("o=mileage ").append(sessionId).append(' ').append(version).append(" IN IP4 ").append(host).append("\r\n");
        continue;
      }
      if (line.startsWith("m=")) {
        if (inAudio && rtcpMux) out.append("a=rtcp-mux\r\n");
        inAudio = !seenAudio && line.startsWith("m=audio ");
        if (inAudio) {
          seenAudio = true;
          out.append("m=audio ").append(port).append(" RTP/AVP");
          for (int pt : audio.payloadTypes()) out.append(' ').append(pt);
          out.append("\r\n");
          if (!wroteSessionC) out.append("c=IN IP4 ").append(host).append("\r\n");
        } else {
          String[] f = SPACES.split(line.substring(2).trim());
          out.append("m=").append(f[0]).append(" 0");
          for (int i = 2; i < f.length; i++) out.append(' ').append(f[i]);
          out.append("\r\n");
        }
        continue;
      }
      if (line.startsWith("c=")) {
        if (!seenAudio) {
          out.append("c=IN IP4 ").append(host).append("\r\n");
          wroteSessionC = true;
        }
        continue; // media-level c= of audio was written with m=; rejected streams need none
      }
      if (line.startsWith("a=")) {
        String a = line.substring(2).trim();
        String name = ATTRIBUTE_NAME_END.split(a, 2)[0].toLowerCase(Locale.ROOT);
        if (DROPPED_ATTRIBUTES.contains(name)) continue;
        if (seenAudio && !inAudio) continue;
        if (inAudio && (name.equals("rtpmap") || name.equals("fmtp"))) {
          try {
            int pt = Integer.parseInt(a.substring(name.length() + 1).trim().split(" ")[0]);
            if (!audio.payloadTypes().contains(pt)) continue;
          } catch (RuntimeException e) {
            continue;
          }
        }
        out.append("a=").append(a).append("\r\n");
        continue;
      }
      if (seenAudio && !inAudio) continue;
      out.append(line).append("\r\n");
    }
    if (inAudio && rtcpMux) out.append("a=rtcp-mux\r\n");
    return out.toString();
  }
}

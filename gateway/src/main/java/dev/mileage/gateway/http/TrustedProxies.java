package dev.mileage.gateway.http;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reverse proxies (addresses or CIDR blocks, IPv4 or IPv6) whose forwarding header is believed, and which header
 * that is ({@link Header}: {@code X-Forwarded-For} unless set otherwise); none by default. Parsed from a comma-separated list at start; only IP literals, never names, so nothing is looked up in DNS.
 * The subnet matching is Netty's ({@link IpSubnetFilterRule}).
 */
public final class TrustedProxies {
  /** The header the trusted proxies write the client into; the other one is the client's and never read. */
  public enum Header {
    X_FORWARDED_FOR("X-Forwarded-For"),
    /** RFC 7239 {@code Forwarded: for=...}. */
    FORWARDED("Forwarded");

    private final String text;

    Header(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    /** "X-Forwarded-For" or "Forwarded", any case; else empty. */
    public static Optional<Header> parse(String text) {
      for (Header h : values()) if (h.text.equalsIgnoreCase(text.strip())) return Optional.of(h);
      return Optional.empty();
    }
  }

  public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of(), Header.X_FORWARDED_FOR);
  /** Entries an operator may list: a handful of proxies or their subnets, not a routing table. */
  public static final int ENTRIES_MAX = 64;

  private final List<IpSubnetFilterRule> rules;
  private final List<String> text;
  private final Header header;

  private TrustedProxies(List<IpSubnetFilterRule> rules, List<String> text, Header header) {
    this.rules = rules;
    this.text = text;
    this.header = java.util.Objects.requireNonNull(header, "header");
  }

  /** These proxies, writing the client into {@code header}. */
  public TrustedProxies withHeader(Header header) {
    return new TrustedProxies(rules, text, header);
  }

  public Header header() {
    return header;
  }

  /**
   * "10.0.0.5, 192.168.0.0/16, ::1, fd00::/8"; empty or blank: {@link #NONE}.
   *
   * @throws IllegalArgumentException naming the entry that is not an IP address or a CIDR block
   */
  public static TrustedProxies parse(String list) {
    if (list == null || list.isBlank()) return NONE;
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    List<String> text = new ArrayList<>();
    for (String raw : list.split(",", -1)) {
      String entry = raw.strip();
      if (entry.isEmpty()) throw new IllegalArgumentException("trusted proxies: an empty entry in \"" + list + "\"");
      if (rules.size() == ENTRIES_MAX) throw new IllegalArgumentException("trusted proxies: more than " + ENTRIES_MAX + " entries");
      int slash = entry.indexOf('/');
      String ip = slash < 0 ? entry : entry.substring(0, slash);
      InetAddress address = literal(ip).orElseThrow(() -> new IllegalArgumentException(
          "trusted proxies: not an IP address or CIDR block: \"" + entry + "\""));
      int bits = address.getAddress().length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String p = entry.substring(slash + 1);
        if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
          throw new IllegalArgumentException("trusted proxies: bad prefix length in \"" + entry + "\" (0.." + bits + ")");
        }
        prefix = Integer.parseInt(p);
      }
      rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
      text.add(address.getHostAddress() + "/" + prefix);
    }
    return new TrustedProxies(List.copyOf(rules), List.copyOf(text), Header.X_FORWARDED_FOR);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether this address (an IP literal) is one of the trusted proxies; anything else is not. */
  public boolean contains(String address) {
    if (rules.isEmpty() || address == null) return false;
    Optional<InetAddress> a = literal(address);
    if (a.isEmpty()) return false;
    InetSocketAddress socket = new InetSocketAddress(a.get(), 0);
    for (IpSubnetFilterRule r : rules) if (r.matches(socket)) return true;
    return false;
  }

  /** An IPv4 or IPv6 literal (IPv6 optionally in brackets) as an address, without any name lookup; else empty. */
  static Optional<InetAddress> literal(String text) {
    String t = text.length() > 2 && text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(t);
    if (bytes == null) return Optional.empty();
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty(); // only for a wrong length, which the parser never gives
    }
  }

  @Override
  public String toString() {
    return rules.isEmpty() ? "none" : String.join(",", text) + (header == Header.X_FORWARDED_FOR ? "" : " (" + header.text + ")");
  }
}

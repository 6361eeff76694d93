package dev.mileage.gateway.sip;

import javax.sip.ClientTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Building the requests of the trunk leg (B): the INVITE, its authenticated retry, in-dialog requests. */
final class TrunkLeg {
  private final SipEndpoint sip;
  private final SipURI trunk;
  private final String transport;
  private final Optional<SipOptions.TrunkCredentials> credentials;
  private final SecureRandom random = new SecureRandom();
  /** The B2BUA shard whose calls this builds: our Call-IDs name it, so the trunk's answers come back to it. */
  private final int shard;

  TrunkLeg(SipEndpoint sip, String trunkUri, Optional<SipOptions.TrunkCredentials> credentials, int shard) {
    this.sip = sip;
    this.shard = shard;
    try {
      this.trunk = (SipURI) sip.addresses.createURI(trunkUri);
    } catch (Exception e) {
      throw new IllegalArgumentException("trunk URI must be a sip: URI: " + trunkUri, e);
    }
    this.transport = trunk.getTransportParam() == null ? "udp" : trunk.getTransportParam().toLowerCase(Locale.ROOT);
    this.credentials = credentials;
  }

  /** INVITE sip:+number@trunk;user=phone with our SDP for the trunk side. */
  Request invite(Call call, String sdp) throws Exception {
    SipURI target = sip.addresses.createSipURI(call.number, trunk.getHost());
    if (trunk.getPort() > 0) target.setPort(trunk.getPort());
    target.setUserParam("phone");
    if (!"udp".equals(transport)) target.setTransportParam(transport);
    SipURI fromUri = sip.addresses.createSipURI(call.username, sip.host);
    Address from = sip.addresses.createAddress(fromUri);
    Address to = sip.addresses.createAddress(target);
    ViaHeader via = sip.headers.createViaHeader(sip.host, sip.port, transport, null);
    CallIdHeader callId = sip.headers.createCallIdHeader(CallShards.bLegCallId(shard, random.nextLong(), sip.host));
    Request r = sip.messages.createRequest(target, Request.INVITE, callId,
        sip.headers.createCSeqHeader(1L, Request.INVITE), sip.headers.createFromHeader(from, tag()),
        sip.headers.createToHeader(to, null), new ArrayList<>(List.of(via)), sip.headers.createMaxForwardsHeader(70));
    r.addHeader(sip.contact(transport));
    r.addHeader(sip.headers.createAllowHeader(SipResponses.ALLOW));
    r.addHeader(sip.headers.createUserAgentHeader(List.of(SipResponses.SERVER)));
    r.setContent(sdp, sip.headers.createContentTypeHeader("application", "sdp"));
    return r;
  }

  boolean canAnswer(Response challenge) {
    return credentials.isPresent()
        && (challenge.getStatusCode() == Response.UNAUTHORIZED || challenge.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED);
  }

  /** The INVITE again with credentials for the trunk's challenge (RFC 3261 22.2), a new CSeq and branch. */
  Request authenticated(Request previous, Response challenge) throws Exception {
    boolean proxy = challenge.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
    WWWAuthenticateHeader c = null;
    var it = challenge.getHeaders(proxy ? "Proxy-Authenticate" : WWWAuthenticateHeader.NAME);
    while (it.hasNext()) {
      WWWAuthenticateHeader h = (WWWAuthenticateHeader) it.next();
      String alg = h.getAlgorithm() == null ? "MD5" : h.getAlgorithm().toUpperCase(Locale.ROOT);
      if (alg.equals("SHA-256") || (c == null && alg.equals("MD5"))) c = h;
    }
    if (c == null) throw new IllegalArgumentException("no usable challenge");
    SipOptions.TrunkCredentials cred = credentials.orElseThrow();
    String algorithm = c.getAlgorithm() == null ? "MD5" : c.getAlgorithm();
    Request retry = (Request) previous.clone();
    retry.removeHeader(ViaHeader.NAME);
    retry.addHeader(sip.headers.createViaHeader(sip.host, sip.port, transport, null));
    CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
    cseq.setSeqNumber(cseq.getSeqNumber() + 1);
    String uri = retry.getRequestURI().toString();
    String cnonce = HexFormat.of().formatHex(random.generateSeed(8));
    boolean qop = c.getQop() != null && c.getQop().toLowerCase(Locale.ROOT).contains("auth");
    String ha1 = DigestAuth.hash(algorithm, cred.user() + ":" + c.getRealm() + ":" + cred.password());
    String ha2 = DigestAuth.hash(algorithm, "INVITE:" + uri);
    String response = qop
        ? DigestAuth.hash(algorithm, ha1 + ":" + c.getNonce() + ":00000001:" + cnonce + ":auth:" + ha2)
        : DigestAuth.hash(algorithm, ha1 + ":" + c.getNonce() + ":" + ha2);
    AuthorizationHeader a = proxy ? sip.headers.createProxyAuthorizationHeader("Digest")
        : sip.headers.createAuthorizationHeader("Digest");
    a.setUsername(cred.user());
    a.setRealm(c.getRealm());
    a.setNonce(c.getNonce());
    a.setURI(retry.getRequestURI());
    a.setResponse(response);
    a.setAlgorithm(algorithm);
    if (c.getOpaque() != null) a.setOpaque(c.getOpaque());
    if (qop) {
      a.setQop("auth");
      a.setNonceCount(1);
      a.setCNonce(cnonce);
    }
    retry.addHeader(a);
    return retry;
  }

  ClientTransaction send(Request request) throws Exception {
    ClientTransaction ct = sip.provider.getNewClientTransaction(request);
    ct.sendRequest();
    return ct;
  }

  private String tag() {
    return Long.toHexString(random.nextLong());
  }
}

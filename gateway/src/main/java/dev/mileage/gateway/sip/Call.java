package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.RtpRelay;
import dev.mileage.points.metering.EndReason;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One call through the B2BUA: the caller's leg (A: phone or browser) and the trunk's leg (B). Touched by
 * the SIP verticle's thread only; every field change is a step of the state machine in {@link B2bua}.
 */
final class Call {
  enum State {
    /** Authenticated; waiting for the meter's authorization and the media ports. */
    AUTHORIZING,
    /** INVITE sent to the trunk. */
    TRYING,
    /** A provisional answer from the trunk was relayed. */
    EARLY,
    /** The trunk answered; 200 sent to the caller (waiting for the ACK, then talking). */
    ANSWERED,
    ENDED
  }

  final String id;
  final String owner;
  final String username;
  final String number;
  final String aCallId;
  final String source;
  final Instant createdAt;
  final ServerTransaction aInvite;
  final Request aRequest;
  final String aToTag;
  final boolean aReliable;
  final boolean aSupportsTimer;
  final boolean aAllowsUpdate;
  final int aRequestedSessionExpires;
  final String aRequestedRefresher;
  State state = State.AUTHORIZING;
  UUID sessionId;
  RtpRelay relay;
  /** The media's share of the descriptor budget, taken at admission; the relay keeps it at what it holds. */
  dev.mileage.gateway.media.SocketBudget.Lease sockets;
  /** A browser leg's own two sockets in the budget; null for phones. */
  dev.mileage.gateway.media.SocketBudget.Lease browserSockets;
  /** A browser caller's offer (DTLS-SRTP), until its media leg is open; null for phones. */
  String browserOffer;
  /** The connection a browser caller's INVITE came over ({@link Flow}): the call ends when it closes; null for phones. */
  String flow;
  /** A browser caller's media leg (ICE/DTLS-SRTP terminated here); null for phones. */
  BrowserCalls.Leg web;
  Dialog aDialog;
  ClientTransaction bInvite;
  Request bRequest;
  Dialog bDialog;
  String bCallId;
  boolean bProvisional;
  boolean bAuthRetried;
  boolean cancelPending;
  boolean bCancelled;
  ClientTransaction modifyCt;
  ClientTransaction refreshCt;
  String aLastSentSdp;
  /** The SDP we last sent the trunk (offer or answer): what a refresh without an offer gets again. */
  String bLastSentSdp;
  boolean acked;
  /** When the INVITE with credentials reached the shard ({@link OverloadGate#now}). */
  long receivedNanos;
  Instant answeredAt;
  EndReason endReason;
  /** Set when the caller is gone without a BYE (lost media, no refresh, no ACK): billed only until then (0: until the end). */
  long billUntilMs;
  long ringTimer = -1;
  long sessionTimer = -1;
  long refreshTimer = -1;
  int sessionExpiresSeconds;
  boolean gatewayRefreshes;
  long aSdpVersion = 1;
  long bSdpVersion = 1;
  String aLastSdp;
  String bLastSdp;
  /** A re-INVITE or UPDATE relayed from one leg waits for the other's answer (one at a time, RFC 3261 14.1). */
  ServerTransaction pendingModify;
  boolean pendingModifyFromA;

  Call(String id, String owner, String username, String number, String aCallId, String source, Instant createdAt,
       ServerTransaction aInvite, Request aRequest, String aToTag, boolean aReliable, boolean aSupportsTimer,
       boolean aAllowsUpdate, int aRequestedSessionExpires, String aRequestedRefresher) {
    this.id = Objects.requireNonNull(id);
    this.owner = Objects.requireNonNull(owner);
    this.username = Objects.requireNonNull(username);
    this.number = Objects.requireNonNull(number);
    this.aCallId = Objects.requireNonNull(aCallId);
    this.source = source;
    this.createdAt = createdAt;
    this.aInvite = aInvite;
    this.aRequest = aRequest;
    this.aToTag = aToTag;
    this.aReliable = aReliable;
    this.aSupportsTimer = aSupportsTimer;
    this.aAllowsUpdate = aAllowsUpdate;
    this.aRequestedSessionExpires = aRequestedSessionExpires;
    this.aRequestedRefresher = aRequestedRefresher;
  }

  boolean ended() {
    return state == State.ENDED;
  }

  boolean answered() {
    return state == State.ANSWERED;
  }

  /** A live call as operators see it (no credentials, no SIP internals). */
  LiveCall view() {
    return new LiveCall(id, owner, username, number, state.name(), createdAt, answeredAt,
        sessionId == null ? null : sessionId.toString());
  }
}

package dev.mileage.gateway.sip;

import io.vertx.core.Future;

import java.util.List;

/** What the rest of the gateway (operator API, demo seeding) may ask of the running SIP side. */
public interface SipService {
  /** The SIP port (UDP and TCP). */
  int port();

  String host();

  Future<List<LiveCall>> liveCalls();

  /** Ends a live call (BYE/CANCEL to both legs, billed up to now); false if there is no such call. */
  Future<Boolean> endCall(String callId);

  SubscriberStore subscribers();

  /** Media counters by node (a.receive.passed, b.filter.dropped, ...). */
  java.util.Map<String, Long> mediaCounters();
}

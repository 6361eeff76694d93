package dev.mileage.gateway.webrtc;

/** A finished handshake: the outcome, and the SRTP keys when it is {@link DtlsOutcome#OK}. */
public record DtlsResult(DtlsOutcome outcome, SrtpKeys keys) {
  public DtlsResult {
    if ((outcome == DtlsOutcome.OK) != (keys != null)) throw new IllegalArgumentException("keys iff OK");
  }

  static DtlsResult failed(DtlsOutcome outcome) {
    return new DtlsResult(outcome, null);
  }
}

package dev.mileage.points.metering;

/** Counters since start; renewal lag is from the instant a renewal was due to its confirmation. */
public record MeterStats(int openSessions, long authorized, long refused, long renewals, long renewalFailures,
                         long ended, long recovered, long renewalLagMicrosMax) {
}

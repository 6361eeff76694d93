package dev.mileage.bench.calls;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * After the load: what the ledger debited against what the calls lasted. The ledger's posted debits must
 * equal the CDRs' charges, no reservation may be left pending, and no call may be billed for less than it
 * lasted (billing rounds up to the tariff's increments, so more is expected, less is a defect).
 */
final class LedgerCrossCheck {
  /** Reservations are settled when calls end; give the gateway this long to finish settling. */
  static final long SETTLE_WAIT_NANOS = 15_000_000_000L;
  /** Clock skew between our BYE and the gateway's stop of metering. */
  static final long TALK_TOLERANCE_MILLIS = 1_000;

  record Outcome(long debitedPoints, long pendingPointsAfter, long talkSecondsMeasured, boolean cdrsAvailable,
                 long cdrBilledSeconds, long cdrChargedPoints, long callsWithoutCdr, long callsUnderBilled,
                 List<String> problems) {
    boolean ok() {
      return problems.isEmpty();
    }
  }

  private LedgerCrossCheck() {}

  static Outcome run(GatewayOperatorApi api, List<Subscriber> subscribers, List<CallStats.TalkedCall> talked)
      throws IOException {
    long deadline = System.nanoTime() + SETTLE_WAIT_NANOS;
    List<GatewayOperatorApi.MileageAccount> accounts = accounts(api, subscribers);
    while (pending(accounts) > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(500_000_000L);
      accounts = accounts(api, subscribers);
    }
    long debited = accounts.stream().mapToLong(GatewayOperatorApi.MileageAccount::debitsPosted).sum();
    long pendingAfter = pending(accounts);
    long talkMillis = talked.stream().mapToLong(CallStats.TalkedCall::talkMillis).sum();
    List<String> problems = new ArrayList<>();
    if (pendingAfter != 0) problems.add(pendingAfter + " points still reserved after every call ended");
    Map<String, GatewayOperatorApi.Cdr> cdrs = new HashMap<>();
    boolean cdrsAvailable = true;
    for (Subscriber s : subscribers) {
      Optional<List<GatewayOperatorApi.Cdr>> list = api.cdrsOf(s.memberId());
      if (list.isEmpty()) {
        cdrsAvailable = false;
        break;
      }
      list.get().forEach(c -> cdrs.put(c.callId(), c));
    }
    long billedSeconds = 0;
    long charged = 0;
    long withoutCdr = 0;
    long underBilled = 0;
    if (cdrsAvailable) {
      for (GatewayOperatorApi.Cdr c : cdrs.values()) {
        billedSeconds += c.billedSeconds();
        charged += c.chargedPoints();
      }
      for (CallStats.TalkedCall call : talked) {
        GatewayOperatorApi.Cdr cdr = cdrs.get(call.callId());
        if (cdr == null) withoutCdr++;
        else if (cdr.billedSeconds() * 1000 + TALK_TOLERANCE_MILLIS < call.talkMillis()) underBilled++;
      }
      if (charged != debited) problems.add("ledger debited " + debited + " points but the CDRs charge " + charged);
      if (withoutCdr > 0) problems.add(withoutCdr + " answered calls have no CDR");
      if (underBilled > 0) problems.add(underBilled + " calls billed for less than they lasted");
    } else {
      problems.add("the gateway has no CDR API at " + GatewayOperatorApi.CDRS_PATH + ": debits not matched per call");
    }
    return new Outcome(debited, pendingAfter, talkMillis / 1000, cdrsAvailable, billedSeconds, charged, withoutCdr,
        underBilled, problems);
  }

  private static long pending(List<GatewayOperatorApi.MileageAccount> accounts) {
    return accounts.stream().mapToLong(GatewayOperatorApi.MileageAccount::debitsPending).sum();
  }

  private static List<GatewayOperatorApi.MileageAccount> accounts(GatewayOperatorApi api, List<Subscriber> subscribers)
      throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(Provisioning.PARALLELISM);
    try {
      List<Future<GatewayOperatorApi.MileageAccount>> futures = new ArrayList<>();
      for (Subscriber s : subscribers) futures.add(pool.submit(() -> api.mileageAccount(s.memberId())));
      List<GatewayOperatorApi.MileageAccount> accounts = new ArrayList<>();
      for (Future<GatewayOperatorApi.MileageAccount> f : futures) accounts.add(Provisioning.await(f));
      return accounts;
    } finally {
      pool.shutdownNow();
    }
  }
}

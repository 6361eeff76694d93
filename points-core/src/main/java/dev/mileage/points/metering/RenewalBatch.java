package dev.mileage.points.metering;

import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The renewals that fall on one tick, sent to the ledger as one request: one queue entry, one commit wait
 * and one hop back to the meter's thread for all of them instead of one each. Results come back in the
 * order of the transfers, so each session reads its slice. Transfers stay independent (not linked): one
 * session's refusal never touches another's renewal. Meter thread only.
 */
final class RenewalBatch {
  /** Transfers per ledger request at most; a fuller tick sends several requests. */
  static final int TRANSFERS_MAX = 4096;

  static {
    Checks.invariant(TRANSFERS_MAX <= Ledger.BATCH_MAX, "a batch fits one ledger request");
  }

  private final DefaultMeter m;
  private List<MeterSession> sessions = new ArrayList<>();
  private int[] firstResult = new int[64];
  private List<Transfer> transfers = new ArrayList<>();
  private List<SessionCheckpoint> checkpoints = new ArrayList<>();
  private boolean flushPosted;

  RenewalBatch(DefaultMeter meter) {
    this.m = meter;
  }

  /**
   * Adds a session's renewal of {@code count} transfers (given next through {@link #transfer}) and its
   * checkpoint, which lists the chunk being reserved. The checkpoints go to the store beside the request,
   * not before it: a renewal waits for one commit, not two (a reservation no checkpoint lists expires by
   * itself, and recovery voids the next chunk numbers).
   */
  void begin(MeterSession s, int count) {
    Checks.invariant(count >= 1 && count <= TRANSFERS_MAX, "renewal size");
    if (transfers.size() + count > TRANSFERS_MAX) flush();
    if (sessions.isEmpty()) {
      m.hold(); // the tick's batch counts as work in flight until it is sent
      if (!m.advancing && !flushPosted) {
        // a renewal outside a tick (an answer made the next one due): send it after the current task
        flushPosted = true;
        m.runLater(this::flush);
      }
    }
    if (sessions.size() == firstResult.length) firstResult = Arrays.copyOf(firstResult, 2 * firstResult.length);
    firstResult[sessions.size()] = transfers.size();
    sessions.add(s);
    checkpoints.add(s.checkpoint(m.clock.millis()));
  }

  void transfer(Transfer t) {
    transfers.add(t);
  }

  /** Sends what was added (the end of a tick, a full batch, or the task posted by {@link #begin}). */
  void flush() {
    flushPosted = false;
    if (sessions.isEmpty()) return;
    List<MeterSession> sent = sessions;
    int[] from = firstResult;
    List<Transfer> request = transfers;
    List<SessionCheckpoint> saving = checkpoints;
    sessions = new ArrayList<>(Math.max(16, sent.size()));
    firstResult = new int[Math.max(64, from.length)];
    transfers = new ArrayList<>(Math.max(16, request.size()));
    checkpoints = new ArrayList<>(Math.max(16, saving.size()));
    long sentNanos = System.nanoTime();
    for (MeterSession s : sent) s.renewSentNanos = sentNanos;
    m.async(m.store.saveAll(saving), (v, error) -> {
      if (error != null) {
        DefaultMeter.LOG.log(System.Logger.Level.WARNING,
            "checkpoints not saved for " + saving.size() + " sessions: " + error);
        return;
      }
      long micros = (m.lastAnsweredNanos - sentNanos) / 1000;
      for (int i = 0; i < saving.size(); i++) m.observer.checkpointSaved(micros);
    });
    m.async(m.ledger.submit(request), (List<TransferResult> results, Throwable error) -> {
      for (int i = 0; i < sent.size(); i++) {
        try {
          m.charging.renewAnswered(sent.get(i), results, from[i], error);
        } catch (RuntimeException bug) {
          // one session's bug must not strand the others of the batch
          DefaultMeter.LOG.log(System.Logger.Level.ERROR, "metering bug", bug);
        }
      }
    });
    m.release();
  }
}

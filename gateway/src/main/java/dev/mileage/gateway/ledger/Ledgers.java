package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.LedgerStats;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.store.Database;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.ToDoubleFunction;

/** Starts the durable ledger (points-core's PgLedger) the gateway runs on, and publishes its figures. */
public final class Ledgers {
  private Ledgers() {
  }

  public static CompletionStage<LedgerRuntime> start(Vertx vertx, Database database, Clock clock) {
    return dev.mileage.points.store.PgLedger.start(vertx, database, LedgerOptions.DEFAULTS, clock)
        .thenApply(Running::new);
  }

  /** Ledger figures for /metrics: counters since start, the queue depth and commit latency. */
  public static void bindMetrics(LedgerRuntime runtime, MeterRegistry registry) {
    if (!(runtime instanceof Running running)) return;
    ManagedLedger ledger = running.ledger;
    counter(registry, "ledger_batches_committed", "write transactions committed", ledger, s -> s.batchesCommitted());
    counter(registry, "ledger_batches_failed", "batches whose commit failed", ledger, s -> s.batchesFailed());
    counter(registry, "ledger_transfers_committed", "transfers answered after a commit", ledger,
        s -> s.transfersCommitted());
    counter(registry, "ledger_reservations_expired", "reservations released by their timeout", ledger,
        s -> s.reservationsExpired());
    counter(registry, "ledger_rejected_queue_full", "submits refused because the queue was full", ledger,
        s -> s.rejectedQueueFull());
    counter(registry, "ledger_commit_latency_micros_total", "sum of commit round trips", ledger,
        s -> s.commitLatencyMicrosTotal());
    counter(registry, "ledger_projections_failed", "projections of the journal into the tables refused or broken off"
        + " (each is retried)", ledger, s -> s.projectionsFailed());
    Gauge.builder("ledger_writing", ledger, l -> l.writing() ? 1 : 0)
        .description("1 while the ledger writes; 0 once another writer took its database over (restart it)")
        .register(registry);
    Gauge.builder("ledger_unprojected_transfers", ledger, l -> l.stats().unprojectedTransfers())
        .description("committed transfers the tables do not show yet (the projection's backlog)").register(registry);
    Gauge.builder("ledger_commit_latency_micros_max", ledger, l -> l.stats().commitLatencyMicrosMax())
        .description("the slowest commit round trip since start").register(registry);
  }

  private static void counter(MeterRegistry registry, String name, String description, ManagedLedger ledger,
                              ToDoubleFunction<LedgerStats> value) {
    FunctionCounter.builder(name, ledger, l -> value.applyAsDouble(l.stats())).description(description)
        .register(registry);
  }

  private static final class Running implements LedgerRuntime {
    private final ManagedLedger ledger;

    Running(ManagedLedger ledger) {
      this.ledger = ledger;
    }

    @Override
    public Ledger ledger() {
      return ledger;
    }

    @Override
    public boolean writing() {
      return ledger.writing();
    }

    @Override
    public long queueDepth() {
      return ledger.stats().queueDepth();
    }

    @Override
    public CompletionStage<Void> close() {
      return CompletableFuture.runAsync(ledger::close);
    }
  }
}

package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 during load: a gateway process takes concurrent idempotent transfers over HTTP (singles and
 * small batches, some of them bound to fail for lack of points), is killed with SIGKILL mid-load and
 * restarted on the same data folder. Then every transfer answered as applied is present, none answered
 * as failed is, every account's posted balance equals the sum of the transfers present, and retrying
 * the applied transfers with the same ids answers EXISTS and changes nothing.
 */
class LedgerCrashTest {
  static final int ACCOUNTS = 12;
  static final int CLIENTS = 8;
  static final int TRANSFERS_MAX = 20_000;
  static final int ACKS_BEFORE_KILL = 400;
  static final Duration LOAD_DEADLINE = Duration.ofSeconds(60);
  static final long SEED = 20_261_123L;

  enum Outcome { APPLIED, FAILED, UNKNOWN }

  record Sent(Transfer transfer, Outcome outcome) {
  }

  @TempDir
  Path dir;

  @Test
  void acknowledgedTransfersSurviveSigkill() throws Exception {
    Path dataDir = dir.resolve("data");
    Path log = dir.resolve("gateway.log");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    GatewayProcess gateway = GatewayProcess.start(dataDir, log);
    try {
      long issuer = openAccount(gateway, http, "operator", List.of());
      List<Long> members = new ArrayList<>();
      for (int i = 0; i < ACCOUNTS; i++) {
        members.add(openAccount(gateway, http, "member:crash" + i, List.of("DEBITS_MUST_NOT_EXCEED_CREDITS")));
      }
      Map<UUID, Sent> sent = load(gateway, http, issuer, members);
      long applied = sent.values().stream().filter(s -> s.outcome == Outcome.APPLIED).count();
      long failed = sent.values().stream().filter(s -> s.outcome == Outcome.FAILED).count();
      assertTrue(applied >= ACKS_BEFORE_KILL, "load reached the kill point: " + applied);
      assertTrue(failed > 0, "some transfers were refused (member overdrafts): the failure path is covered");

      gateway = GatewayProcess.start(dataDir, log);
      Map<Long, Long> expected = new HashMap<>();
      int unknownPresent = 0;
      for (Sent s : sent.values()) {
        HttpResponse<String> r = gateway.get(http, "/api/v1/ledger/transfers/" + s.transfer.id());
        boolean present = r.statusCode() == 200;
        assertTrue(present || r.statusCode() == 404, "transfer lookup: " + r.statusCode() + " " + r.body());
        if (s.outcome == Outcome.APPLIED) assertTrue(present, "acknowledged transfer lost: " + s.transfer);
        if (s.outcome == Outcome.FAILED) assertTrue(!present, "refused transfer present: " + s.transfer);
        if (present) {
          JsonObject stored = new JsonObject(r.body());
          assertEquals(s.transfer.amount(), stored.getLong("amount"));
          if (s.outcome == Outcome.UNKNOWN) unknownPresent++;
          expected.merge(s.transfer.debitAccountId(), -s.transfer.amount(), Long::sum);
          expected.merge(s.transfer.creditAccountId(), s.transfer.amount(), Long::sum);
        }
      }
      List<Long> all = new ArrayList<>(members);
      all.add(issuer);
      for (long account : all) {
        JsonObject a = new JsonObject(gateway.get(http, "/api/v1/ledger/accounts/" + account).body());
        long posted = a.getJsonObject("balance").getLong("posted");
        assertEquals(expected.getOrDefault(account, 0L), posted, "balance of account " + account);
        assertEquals(0L, a.getLong("debitsPending"));
        if (account != issuer) assertTrue(posted >= 0, "member balance never negative");
      }
      // a client that lost its answers retries with the same ids: applied transfers answer EXISTS and
      // change nothing
      List<Transfer> acknowledged = sent.values().stream().filter(x -> x.outcome == Outcome.APPLIED)
          .map(Sent::transfer).toList();
      for (int i = 0; i < acknowledged.size(); i += 100) {
        List<Transfer> batch = acknowledged.subList(i, Math.min(acknowledged.size(), i + 100));
        HttpResponse<String> r = gateway.post(http, "/api/v1/ledger/transfers",
            new JsonObject().put("transfers", LedgerJson.transfers(batch)).encode());
        assertEquals(200, r.statusCode(), r.body());
        new JsonObject(r.body()).getJsonArray("results").forEach(o ->
            assertEquals("EXISTS", ((JsonObject) o).getString("result")));
      }
      for (long account : all) {
        JsonObject a = new JsonObject(gateway.get(http, "/api/v1/ledger/accounts/" + account).body());
        assertEquals(expected.getOrDefault(account, 0L), a.getJsonObject("balance").getLong("posted"), "after retries");
      }
      System.out.printf("crash test: %d sent, %d applied, %d failed, %d unknown (%d of them present)%n",
          sent.size(), applied, failed, sent.size() - applied - failed, unknownPresent);
    } finally {
      gateway.close();
      stopOrphanedPostgres(dataDir);
    }
  }

  private static long openAccount(GatewayProcess g, HttpClient http, String owner, List<String> flags) throws Exception {
    HttpResponse<String> r = g.post(http, "/api/v1/ledger/accounts", new JsonObject().put("owner", owner)
        .put("pointType", StandardPointTypes.MILEAGE).put("flags", new JsonArray(flags)).encode());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getLong("id");
  }

  /** Concurrent clients until the kill; answers what each transfer's client was told. */
  private static Map<UUID, Sent> load(GatewayProcess gateway, HttpClient http, long issuer, List<Long> members)
      throws Exception {
    Map<UUID, Sent> sent = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger acks = new AtomicInteger();
    long deadline = System.nanoTime() + LOAD_DEADLINE.toNanos();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    for (int c = 0; c < CLIENTS; c++) {
      clients.submit(() -> {
        while (System.nanoTime() < deadline && gateway.process.isAlive()) {
          int first = next.getAndAdd(4);
          if (first >= TRANSFERS_MAX) return null;
          SplittableRandom random = new SplittableRandom(SEED + first);
          int size = random.nextInt(4) == 0 ? 4 : 1;
          List<Transfer> batch = new ArrayList<>();
          for (int i = 0; i < size; i++) {
            long credit = members.get(random.nextInt(members.size()));
            // a third of the transfers move points between members and may exceed what the payer has
            long debit = random.nextInt(3) == 0 ? members.get(random.nextInt(members.size())) : issuer;
            if (debit == credit) debit = issuer;
            batch.add(Transfer.single(Transfer.idOf("crash:" + (first + i)), debit, credit, 1 + random.nextInt(100),
                0, "crash test"));
          }
          for (Transfer t : batch) sent.put(t.id(), new Sent(t, Outcome.UNKNOWN));
          try {
            HttpResponse<String> r = gateway.post(http, "/api/v1/ledger/transfers",
                new JsonObject().put("transfers", LedgerJson.transfers(batch)).encode());
            if (r.statusCode() != 200 && r.statusCode() != 422) continue; // no answer about the transfers
            JsonArray results = new JsonObject(r.body()).getJsonArray("results");
            for (int i = 0; i < batch.size(); i++) {
              String result = results.getJsonObject(i).getString("result");
              boolean ok = result.equals("OK") || result.equals("EXISTS");
              sent.put(batch.get(i).id(), new Sent(batch.get(i), ok ? Outcome.APPLIED : Outcome.FAILED));
              if (ok) acks.incrementAndGet();
            }
          } catch (Exception e) {
            // connection refused or reset by the kill: the outcome stays unknown
          }
        }
        return null;
      });
    }
    while (acks.get() < ACKS_BEFORE_KILL && System.nanoTime() < deadline) Thread.sleep(5);
    gateway.kill();
    clients.shutdown();
    assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients finished");
    return sent;
  }

  /** The killed JVM's PostgreSQL outlives it; if no restart took it over, stop it here. */
  static void stopOrphanedPostgres(Path dataDir) throws Exception {
    Path pid = dataDir.resolve("pg").resolve("postmaster.pid");
    if (!Files.exists(pid)) return;
    Optional<ProcessHandle> server = Files.readAllLines(pid).stream().findFirst().map(String::trim)
        .filter(s -> s.matches("\\d+")).map(Long::parseLong).flatMap(ProcessHandle::of);
    if (server.isEmpty()) return;
    server.get().destroy();
    server.get().onExit().get(30, TimeUnit.SECONDS);
  }
}

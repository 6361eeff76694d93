package dev.mileage.gateway.shop;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The payment provider of the demo and the tests, with the behaviours of a real one: test tokens approve
 * ({@code sandbox-ok}), decline ({@code sandbox-decline}, or any amount over {@link #CHARGE_WON_MAX}) or fail
 * ({@code sandbox-fail}: the provider is unreachable); idempotency keys are honoured, and a key reused for
 * a different amount is refused. Remembers at most {@link #KEYS_MAX} keys.
 * <p>Bank transfers open a sandbox virtual account; {@link #simulateDeposit} plays the buyer's bank paying
 * into it and answers the deposit notice the provider would post to the merchant, signed with HMAC-SHA256
 * under this instance's random webhook secret, so the merchant's verification path is the real one.
 */
public final class SandboxPaymentProvider implements PaymentProvider {
  public static final String TOKEN_OK = "sandbox-ok";
  public static final String TOKEN_DECLINE = "sandbox-decline";
  public static final String TOKEN_FAIL = "sandbox-fail";
  public static final long CHARGE_WON_MAX = 5_000_000;
  public static final int KEYS_MAX = 100_000;

  private record Seen(long amountWon, Result result) { }

  private final Map<String, Seen> seen = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
      return size() > KEYS_MAX;
    }
  };
  private final Map<String, Long> refundable = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > KEYS_MAX;
    }
  };
  private final Map<String, BankTransfer> transfers = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, BankTransfer> eldest) {
      return size() > KEYS_MAX;
    }
  };
  private final byte[] webhookSecret = new byte[32];
  private long sequence;
  private long depositedWon;
  private long approvedWon;
  private long paidOutWon;

  @Override
  public synchronized Future<Result> charge(String key, long amountWon, String token) {
    Seen before = seen.get(key);
    if (before != null) {
      return Future.succeededFuture(before.amountWon() == amountWon ? before.result()
          : new Result(Outcome.DECLINED, null, "idempotency key reused for a different amount"));
    }
    Result r;
    if (TOKEN_FAIL.equals(token)) {
      // an unreachable provider remembers nothing: a retry may succeed
      return Future.succeededFuture(new Result(Outcome.FAILED, null, "payment service unreachable"));
    } else if (!TOKEN_OK.equals(token) && !TOKEN_DECLINE.equals(token)) {
      r = new Result(Outcome.DECLINED, null, "unknown card");
    } else if (TOKEN_DECLINE.equals(token)) {
      r = new Result(Outcome.DECLINED, null, "card declined: insufficient funds");
    } else if (amountWon <= 0 || amountWon > CHARGE_WON_MAX) {
      r = new Result(Outcome.DECLINED, null, "amount over the card's limit");
    } else {
      r = new Result(Outcome.APPROVED, "sbx_ch_" + (++sequence), "");
      refundable.put(r.reference(), amountWon);
      approvedWon += amountWon;
    }
    seen.put(key, new Seen(amountWon, r));
    return Future.succeededFuture(r);
  }

  @Override
  public synchronized Future<Result> lookup(String key) {
    Seen before = seen.get(key);
    return Future.succeededFuture(before != null ? before.result() : new Result(Outcome.FAILED, null, "no charge with this key"));
  }

  @Override
  public synchronized Future<Result> refund(String key, String chargeReference, long amountWon) {
    Seen before = seen.get(key);
    if (before != null) return Future.succeededFuture(before.result());
    Long left = refundable.get(chargeReference);
    Result r;
    if (left == null || amountWon < 0 || amountWon > left) {
      r = new Result(Outcome.DECLINED, null, "refund larger than the charge");
    } else {
      refundable.put(chargeReference, left - amountWon);
      approvedWon -= amountWon;
      r = new Result(Outcome.APPROVED, "sbx_rf_" + (++sequence), "");
    }
    seen.put(key, new Seen(amountWon, r));
    return Future.succeededFuture(r);
  }

  /** Payouts follow the charge tokens: ok pays, decline is refused by the bank, fail is unreachable. */
  @Override
  public synchronized Future<Result> payout(String key, long amountWon, String token) {
    Seen before = seen.get(key);
    if (before != null) {
      return Future.succeededFuture(before.amountWon() == amountWon ? before.result()
          : new Result(Outcome.DECLINED, null, "idempotency key reused for a different amount"));
    }
    if (TOKEN_FAIL.equals(token)) return Future.succeededFuture(new Result(Outcome.FAILED, null, "payment service unreachable"));
    Result r;
    if (TOKEN_OK.equals(token) && amountWon > 0 && amountWon <= CHARGE_WON_MAX) {
      r = new Result(Outcome.APPROVED, "sbx_po_" + (++sequence), "");
      paidOutWon += amountWon;
    } else {
      r = new Result(Outcome.DECLINED, null, TOKEN_OK.equals(token) ? "amount over the payout limit" : "account refused the payout");
    }
    seen.put(key, new Seen(amountWon, r));
    return Future.succeededFuture(r);
  }

  public SandboxPaymentProvider() {
    new SecureRandom().nextBytes(webhookSecret);
  }

  @Override
  public synchronized Future<BankTransfer> openBankTransfer(String key, long amountWon, Instant expiresAt) {
    BankTransfer before = transfers.get(key);
    if (before != null) {
      return Future.succeededFuture(before.amountWon() == amountWon ? before
          : new BankTransfer(Outcome.DECLINED, null, null, null, 0, null, "idempotency key reused for a different amount"));
    }
    if (amountWon <= 0 || amountWon > CHARGE_WON_MAX) {
      return Future.succeededFuture(new BankTransfer(Outcome.DECLINED, null, null, null, 0, null, "amount over the transfer limit"));
    }
    long n = ++sequence;
    BankTransfer t = new BankTransfer(Outcome.APPROVED, "sbx_bt_" + n, "Sandbox Bank",
        String.format("990-%04d-%06d", n / 1_000_000 % 10_000, n % 1_000_000), amountWon, expiresAt, "");
    transfers.put(key, t);
    return Future.succeededFuture(t);
  }

  @Override
  public Optional<Deposit> verifyDeposit(DepositNotice notice) {
    byte[] expected = sign(notice.payload()).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, notice.signature().getBytes(StandardCharsets.US_ASCII))) return Optional.empty();
    try {
      JsonObject j = new JsonObject(notice.payload());
      Object amount = j.getValue("amountWon");
      if (!(j.getValue("depositId") instanceof String id) || !(j.getValue("reference") instanceof String ref)
          || !(amount instanceof Number a) || a.longValue() <= 0) {
        return Optional.empty();
      }
      Object payer = j.getValue("payerAccount");
      if (payer != null && (!(payer instanceof String p) || p.length() > Deposit.PAYER_ACCOUNT_LENGTH_MAX)) return Optional.empty();
      return Optional.of(new Deposit(id, ref, a.longValue(), (String) payer));
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  @Override
  public synchronized Optional<DepositNotice> simulateDeposit(String reference, long amountWon) {
    return simulateDeposit(reference, amountWon, SANDBOX_PAYER_ACCOUNT);
  }

  /** The account the sandbox's buyer pays from (what a refused deposit is returned to). */
  public static final String SANDBOX_PAYER_ACCOUNT = "Sandbox Payer Bank 110-2026-123456";

  /** As {@link #simulateDeposit(String, long)}, paid from {@code payerAccount}. */
  public synchronized Optional<DepositNotice> simulateDeposit(String reference, long amountWon, String payerAccount) {
    if (amountWon <= 0) throw new IllegalArgumentException("a deposit must be positive");
    depositedWon += amountWon;
    String payload = new JsonObject().put("depositId", "sbx_dp_" + (++sequence)).put("reference", reference)
        .put("amountWon", amountWon).put("payerAccount", payerAccount).encode();
    return Optional.of(new DepositNotice(payload, sign(payload)));
  }

  /** The notice the provider would post with this exact payload (tests: a provider re-sending or misreporting). */
  public DepositNotice signedNotice(String payload) {
    return new DepositNotice(payload, sign(payload));
  }

  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(webhookSecret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Money the sandbox bank took in by transfer (whether or not the merchant accepted it). */
  public synchronized long depositedWon() {
    return depositedWon;
  }

  /** Money paid out (cash-outs), never taken back. */
  public synchronized long paidOutWon() {
    return paidOutWon;
  }

  /** Money actually taken and not given back: what tests check a failure did not change. */
  public synchronized long netChargedWon() {
    return approvedWon;
  }
}

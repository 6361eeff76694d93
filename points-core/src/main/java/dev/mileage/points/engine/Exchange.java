package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the linked chain that exchanges points of type A into points of type B at their cash values.
 * A pure function: submit the chain to the ledger, which applies it as one or not at all.
 *
 * <p>Rounding, always against the customer and never beyond the rate: the fee is rounded up (in points
 * of A), the points of B are rounded down; the value lost by rounding down stays with issuer A's pool.
 * All arithmetic is exact integer arithmetic (no {@code double}).
 */
public final class Exchange {
  public static final int FEE_BASIS_POINTS_MAX = 10_000;

  /**
   * @param businessKey    makes the chain idempotent: the same key always builds the same transfer ids
   * @param customerA      pays {@code amountA} points of A
   * @param poolA          issuer (or operator) pool of A receiving the converted points
   * @param feeAccountA    receives the fee in points of A
   * @param poolB          issuer pool of B paying out
   * @param customerB      receives the points of B
   * @param cashMicrosA    cash value of one point of A (millionths of a currency unit)
   * @param feeBasisPoints fee as a share of {@code amountA}, 0..10000 (100 = 1%)
   */
  public record Request(String businessKey, long customerA, long poolA, long feeAccountA, long poolB, long customerB,
                        long amountA, long cashMicrosA, long cashMicrosB, int feeBasisPoints) {
    public Request {
      Objects.requireNonNull(businessKey, "businessKey");
      Checks.requirePositive(customerA, "customerA");
      Checks.requirePositive(poolA, "poolA");
      Checks.requirePositive(feeAccountA, "feeAccountA");
      Checks.requirePositive(poolB, "poolB");
      Checks.requirePositive(customerB, "customerB");
      Checks.requirePositive(amountA, "amountA");
      Checks.requirePositive(cashMicrosA, "cashMicrosA");
      Checks.requirePositive(cashMicrosB, "cashMicrosB");
      if (feeBasisPoints < 0 || feeBasisPoints > FEE_BASIS_POINTS_MAX) {
        throw new IllegalArgumentException("feeBasisPoints must be 0.." + FEE_BASIS_POINTS_MAX + ": " + feeBasisPoints);
      }
    }
  }

  /**
   * The chain and its figures.
   *
   * @param remainderCashMicros cash value of A given up by rounding B down (kept by pool A)
   */
  public record Plan(List<Transfer> chain, long convertedA, long feeA, long amountB, long remainderCashMicros) {
    public Plan {
      chain = List.copyOf(chain);
    }
  }

  private Exchange() {
  }

  private static String reference(String prefix, String key) {
    String text = prefix + key;
    return text.length() <= Transfer.REFERENCE_LENGTH_MAX ? text : text.substring(0, Transfer.REFERENCE_LENGTH_MAX);
  }

  /** Empty when the customer would receive no point of B (the amount is too small for the rate and fee). */
  public static Optional<Plan> plan(Request r) {
    BigInteger amountA = BigInteger.valueOf(r.amountA());
    BigInteger[] fee = amountA.multiply(BigInteger.valueOf(r.feeBasisPoints()))
        .divideAndRemainder(BigInteger.valueOf(FEE_BASIS_POINTS_MAX));
    long feeA = fee[0].longValueExact() + (fee[1].signum() > 0 ? 1 : 0);
    long convertedA = r.amountA() - feeA;
    if (convertedA <= 0) return Optional.empty();
    BigInteger valueMicros = BigInteger.valueOf(convertedA).multiply(BigInteger.valueOf(r.cashMicrosA()));
    BigInteger[] b = valueMicros.divideAndRemainder(BigInteger.valueOf(r.cashMicrosB()));
    if (b[0].signum() == 0 || b[0].bitLength() > 63) return Optional.empty();
    long amountB = b[0].longValueExact();
    String key = r.businessKey();
    List<Transfer> chain = new ArrayList<>(3);
    chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":debit"), r.customerA(), r.poolA(), convertedA,
        TransferCodes.EXCHANGE, reference("exchange ", key)).linked());
    if (feeA > 0) {
      chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":fee"), r.customerA(), r.feeAccountA(), feeA,
          TransferCodes.EXCHANGE_FEE, reference("exchange fee ", key)).linked());
    }
    chain.add(Transfer.single(Transfer.idOf("exchange:" + key + ":credit"), r.poolB(), r.customerB(), amountB,
        TransferCodes.EXCHANGE, reference("exchange ", key)));
    return Optional.of(new Plan(chain, convertedA, feeA, amountB, b[1].longValueExact()));
  }
}

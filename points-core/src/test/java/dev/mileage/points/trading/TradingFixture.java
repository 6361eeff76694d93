package dev.mileage.points.trading;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Funding and reading accounts for trading tests. */
final class TradingFixture {
  static final int A = StandardPointTypes.MILEAGE;
  static final int B = StandardPointTypes.CYBER_MONEY;
  static final int C = StandardPointTypes.PURCHASE_POINTS;

  private TradingFixture() {
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new RuntimeException(e);
    }
  }

  static void fund(Ledger ledger, String owner, int type, long amount) {
    Account issuer = await(ledger.openAccount(StandardPointTypes.OPERATOR, type, AccountFlags.NONE));
    Account member = await(ledger.openAccount(owner, type, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    assertEquals(TransferResult.OK, await(ledger.submit(Transfer.single(Transfer.idOf("test:fund:" + owner + ":" + type),
        issuer.id(), member.id(), amount, TransferCodes.OPERATOR_ADJUSTMENT, "test funding"))));
  }

  /** An account's state; an owner without an account has zero of everything. */
  static Account account(Ledger ledger, String owner, int type) {
    return await(ledger.accountOf(owner, type)).orElse(null);
  }

  static long available(Ledger ledger, String owner, int type) {
    Account a = account(ledger, owner, type);
    return a == null ? 0 : a.available();
  }

  static long held(Ledger ledger, String owner, int type) {
    Account a = account(ledger, owner, type);
    return a == null ? 0 : a.debitsPending();
  }

  static long posted(Ledger ledger, String owner, int type) {
    Account a = account(ledger, owner, type);
    return a == null ? 0 : a.posted();
  }
}

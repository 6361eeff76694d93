package dev.mileage.gateway.shop;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * The sandbox provider plus two ways for a checkout to be cut short, as a crash would: {@code crash-after-charge}
 * (the provider takes the money, the answer never comes back) and {@code crash-before-charge} (the gateway dies
 * before the charge is sent). Other tokens go straight to the sandbox.
 */
final class CrashingProvider implements PaymentProvider {
  static final String AFTER_CHARGE = "crash-after-charge";
  static final String BEFORE_CHARGE = "crash-before-charge";
  private final SandboxPaymentProvider sandbox;

  CrashingProvider(SandboxPaymentProvider sandbox) {
    this.sandbox = sandbox;
  }

  @Override
  public Future<Result> charge(String key, long amountWon, String token) {
    if (AFTER_CHARGE.equals(token)) {
      sandbox.charge(key, amountWon, SandboxPaymentProvider.TOKEN_OK);
      return Promise.<Result>promise().future();
    }
    if (BEFORE_CHARGE.equals(token)) return Promise.<Result>promise().future();
    return sandbox.charge(key, amountWon, token);
  }

  @Override
  public Future<Result> lookup(String key) {
    return sandbox.lookup(key);
  }

  @Override
  public Future<Result> refund(String key, String chargeReference, long amountWon) {
    return sandbox.refund(key, chargeReference, amountWon);
  }
}

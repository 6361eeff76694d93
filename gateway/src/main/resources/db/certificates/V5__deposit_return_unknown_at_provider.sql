-- A SENT return whose instruction the bank provider, asked about it, says it does not know (never taken, or lost)
-- is sent again under the same instruction id (the provider's idempotency key: it cannot pay twice), OWED with the
-- same round; unknown_resends counts those re-sends. Past a bound it is FAILED with failure UNKNOWN_TO_PROVIDER for
-- an operator (who may retry it, again under the same id, or confirm it returned by hand).
ALTER TABLE deposit_return ADD COLUMN unknown_resends INT NOT NULL DEFAULT 0 CHECK (unknown_resends >= 0);
ALTER TABLE deposit_return DROP CONSTRAINT deposit_return_failure_check;
ALTER TABLE deposit_return ADD CONSTRAINT deposit_return_failure_check
  CHECK (failure IN ('REFUSED', 'UNREACHABLE', 'UNKNOWN_TO_PROVIDER'));

-- Deposit returns are sent through the bank provider's refund-instruction API instead of by hand:
-- OWED (to be sent; retried with backoff while the provider is unreachable) -> SENT (the provider took the
-- instruction and named its reference) -> CONFIRMED (its signed notice says the money went back), or FAILED
-- (the provider refused it, or stayed unreachable for every attempt). An operator may put a FAILED return back
-- to OWED (retry), or confirm it returned by other means (the manual fallback; RETURNED rows become CONFIRMED).
-- Still nothing here touches the ledger: the money never entered it.
ALTER TABLE deposit_return DROP CONSTRAINT deposit_return_status_check;
ALTER TABLE deposit_return DROP CONSTRAINT deposit_return_check;
UPDATE deposit_return SET status = 'CONFIRMED' WHERE status = 'RETURNED';
ALTER TABLE deposit_return ADD CONSTRAINT deposit_return_status_check
  CHECK (status IN ('OWED', 'SENT', 'CONFIRMED', 'FAILED'));

ALTER TABLE deposit_return ADD COLUMN send_round      INT         NOT NULL DEFAULT 1;  -- a new instruction key only after a refusal
ALTER TABLE deposit_return ADD COLUMN attempts        INT         NOT NULL DEFAULT 0;  -- sends of this round that got no answer
ALTER TABLE deposit_return ADD COLUMN next_attempt_at TIMESTAMPTZ;                     -- OWED: due (or leased) until then
ALTER TABLE deposit_return ADD COLUMN last_error      TEXT;                            -- the last unanswered attempt, in words
ALTER TABLE deposit_return ADD COLUMN sent_at         TIMESTAMPTZ;
ALTER TABLE deposit_return ADD COLUMN checked_at      TIMESTAMPTZ;                     -- SENT: when the provider was last asked
ALTER TABLE deposit_return ADD COLUMN failure         TEXT CHECK (failure IN ('REFUSED', 'UNREACHABLE'));
ALTER TABLE deposit_return ADD COLUMN failure_reason  TEXT;
UPDATE deposit_return SET next_attempt_at = received_at WHERE status = 'OWED';

ALTER TABLE deposit_return ADD CONSTRAINT deposit_return_state_check CHECK (
     (status = 'OWED' AND return_reference IS NULL AND returned_at IS NULL AND confirmed_by IS NULL
        AND next_attempt_at IS NOT NULL AND failure IS NULL)
  OR (status = 'SENT' AND return_reference IS NOT NULL AND returned_at IS NULL AND failure IS NULL)
  OR (status = 'CONFIRMED' AND return_reference IS NOT NULL AND returned_at IS NOT NULL AND confirmed_by IS NOT NULL)
  OR (status = 'FAILED' AND returned_at IS NULL AND failure IS NOT NULL AND failure_reason IS NOT NULL));
ALTER TABLE deposit_return ADD CONSTRAINT deposit_return_round_check CHECK (send_round >= 1 AND attempts >= 0);
CREATE INDEX deposit_return_due ON deposit_return (next_attempt_at) WHERE status = 'OWED';
CREATE INDEX deposit_return_sent ON deposit_return (id) WHERE status = 'SENT';

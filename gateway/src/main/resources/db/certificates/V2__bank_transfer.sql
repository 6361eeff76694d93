-- Bank-transfer settlement: the buyer pays into a virtual account by a deadline; the certificates are
-- issued only when the payment provider's signed deposit notice arrives in time with the exact amount.
ALTER TABLE purchase DROP CONSTRAINT purchase_settlement_check;
ALTER TABLE purchase ADD CONSTRAINT purchase_settlement_check
  CHECK (settlement IN ('PHONE_BILL', 'CARD', 'BANK_TRANSFER'));
ALTER TABLE purchase DROP CONSTRAINT purchase_status_check;
-- AWAITING_DEPOSIT: a bank-transfer order open for payment; EXPIRED: its deadline passed unpaid (nothing issued)
ALTER TABLE purchase ADD CONSTRAINT purchase_status_check
  CHECK (status IN ('PENDING', 'AWAITING_DEPOSIT', 'PAID', 'ISSUED', 'DECLINED', 'EXPIRED'));

ALTER TABLE purchase ADD COLUMN bank_name TEXT;
ALTER TABLE purchase ADD COLUMN virtual_account TEXT;
ALTER TABLE purchase ADD COLUMN pay_by TIMESTAMPTZ;           -- the bank transfer's deadline
ALTER TABLE purchase ADD COLUMN deposit_id TEXT;              -- the provider's id of the deposit that paid it

CREATE UNIQUE INDEX purchase_bank_reference ON purchase (payment_reference) WHERE settlement = 'BANK_TRANSFER';
CREATE INDEX purchase_awaiting_deposit ON purchase (pay_by) WHERE status = 'AWAITING_DEPOSIT';

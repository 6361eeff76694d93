-- Deposits that bought nothing (arrived late, for the wrong amount, for an order another deposit already paid,
-- or for no order at all). The money is the payer's: each is recorded once, keyed by the provider's deposit id,
-- as a return OWED to the account it came from, until an operator confirms the provider's return reference
-- (RETURNED). Nothing here touches the ledger: no certificate was issued for these deposits.
CREATE TABLE deposit_return (
  id               BIGSERIAL PRIMARY KEY,
  deposit_id       TEXT        NOT NULL UNIQUE,            -- the provider's id: a re-sent notice finds its row
  reference        TEXT        NOT NULL,                   -- the bank-transfer reference the deposit named
  purchase_id      BIGINT      REFERENCES purchase (id),   -- null: no order has that reference
  member_id        BIGINT,                                 -- the order's buyer, the only member who sees it
  amount_won       BIGINT      NOT NULL CHECK (amount_won > 0),
  payer_account    TEXT        NOT NULL DEFAULT '',        -- where the money goes back; shown to operators only
  reason           TEXT        NOT NULL CHECK (reason IN ('LATE', 'WRONG_AMOUNT', 'ALREADY_PAID', 'UNKNOWN_ORDER', 'NOT_PAYABLE')),
  detail           TEXT        NOT NULL,                   -- the words the notice was answered with (repeated as is)
  status           TEXT        NOT NULL CHECK (status IN ('OWED', 'RETURNED')),
  received_at      TIMESTAMPTZ NOT NULL,
  return_reference TEXT,                                   -- the provider's reference of the money sent back
  returned_at      TIMESTAMPTZ,
  confirmed_by     TEXT,                                   -- the operator who confirmed it
  CHECK ((status = 'OWED' AND return_reference IS NULL AND returned_at IS NULL AND confirmed_by IS NULL)
      OR (status = 'RETURNED' AND return_reference IS NOT NULL AND returned_at IS NOT NULL AND confirmed_by IS NOT NULL)),
  CHECK ((purchase_id IS NULL) = (reason = 'UNKNOWN_ORDER')),
  CHECK ((purchase_id IS NULL) = (member_id IS NULL))
);
CREATE INDEX deposit_return_status ON deposit_return (status, id);
CREATE INDEX deposit_return_purchase ON deposit_return (purchase_id) WHERE purchase_id IS NOT NULL;
-- one outgoing bank transfer settles one return: a reference confirmed twice is a mistake to refuse
CREATE UNIQUE INDEX deposit_return_return_reference ON deposit_return (return_reference) WHERE return_reference IS NOT NULL;

-- Each time a giver has the gift's offer sent again (a new claim link: the old one stops working). Counted per
-- gift over the last hour to bound resends.
CREATE TABLE gift_resend (
  id         BIGSERIAL PRIMARY KEY,
  gift_id    BIGINT      NOT NULL REFERENCES gift (id),
  sent_at    TIMESTAMPTZ NOT NULL,
  delivered  BOOLEAN                                        -- null while the message is under way
);
CREATE INDEX gift_resend_gift ON gift_resend (gift_id, sent_at);

-- A deposit pays at most one order: the database refuses a second use of a provider's deposit id.
CREATE UNIQUE INDEX purchase_deposit ON purchase (deposit_id) WHERE deposit_id IS NOT NULL;

-- The ledger: point types, accounts with their four counters, the append-only transfer journal and the
-- state of reservations. Times are microseconds since the epoch (the engine's clock).

CREATE TABLE point_type (
  id                   integer PRIMARY KEY CHECK (id > 0),
  code                 text    NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
  kind                 text    NOT NULL,
  issuer               text    NOT NULL,
  cash_micros_per_unit bigint  NOT NULL CHECK (cash_micros_per_unit >= 0),
  allowed_products     text[]  NOT NULL DEFAULT '{}'
);

-- run-time types (vendor tokens) start at StandardPointTypes.FIRST_DYNAMIC_ID
CREATE SEQUENCE point_type_id_seq START WITH 100;

INSERT INTO point_type (id, code, kind, issuer, cash_micros_per_unit) VALUES
  (1, 'MILEAGE', 'MILEAGE', 'operator', 1000000),
  (2, 'CYBER_MONEY', 'CYBER_MONEY', 'operator', 1000000),
  (3, 'PURCHASE_POINTS', 'PURCHASE_POINTS', 'operator', 1000000),
  (4, 'AD_CLICK_POINTS', 'AD_CLICK_POINTS', 'operator', 1000000),
  (5, 'THANK_YOU_COUPON', 'THANK_YOU_COUPON', 'operator', 1000000),
  (6, 'GIFT_CERTIFICATE', 'GIFT_CERTIFICATE', 'operator', 1000000),
  (7, 'CASH', 'CASH', 'operator', 1000000),
  (8, 'PHONE_BILL', 'PHONE_BILL', 'operator', 1000000);

CREATE TABLE account (
  id              bigserial PRIMARY KEY,
  owner           text    NOT NULL CHECK (length(owner) BETWEEN 1 AND 64),
  point_type      integer NOT NULL REFERENCES point_type (id),
  flags           integer NOT NULL CHECK (flags IN (0, 1, 2)),
  debits_pending  bigint  NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted   bigint  NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending bigint  NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted  bigint  NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  UNIQUE (owner, point_type),
  -- the last line of defence behind the engine's own checks
  CHECK (flags & 1 = 0 OR debits_pending + debits_posted <= credits_posted),
  CHECK (flags & 2 = 0 OR credits_pending + credits_posted <= debits_posted)
);

-- Append-only: the engine guarantees the accounts exist and have the same point type, so no foreign
-- keys slow the hot insert; updates and deletes are refused by a trigger.
CREATE TABLE transfer (
  id                uuid    PRIMARY KEY,
  debit_account_id  bigint  NOT NULL,
  credit_account_id bigint  NOT NULL,
  amount            bigint  NOT NULL CHECK (amount >= 0),
  pending_id        uuid,
  timeout_seconds   integer NOT NULL CHECK (timeout_seconds >= 0),
  code              integer NOT NULL CHECK (code >= 0),
  reference         text    NOT NULL CHECK (length(reference) <= 128),
  flags             integer NOT NULL,
  ts                bigint  NOT NULL
);
CREATE INDEX transfer_debit_history ON transfer (debit_account_id, ts);
CREATE INDEX transfer_credit_history ON transfer (credit_account_id, ts);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger.transfer is append-only';
END $$;
CREATE TRIGGER transfer_append_only BEFORE UPDATE OR DELETE ON transfer
  FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Reservations: status 0 pending, 1 posted, 2 voided, 3 expired (PendingStatus ordinals).
CREATE TABLE pending (
  id                uuid    PRIMARY KEY,
  debit_account_id  bigint  NOT NULL,
  credit_account_id bigint  NOT NULL,
  amount            bigint  NOT NULL CHECK (amount > 0),
  ts                bigint  NOT NULL,
  expires_at        bigint  NOT NULL CHECK (expires_at >= 0),
  status            smallint NOT NULL CHECK (status BETWEEN 0 AND 3)
);
CREATE INDEX pending_open_expiry ON pending (expires_at) WHERE status = 0 AND expires_at > 0;

-- The single writer's row: its last committed batch and timestamp. Every batch updates it in the same
-- statement, so its row lock tells whether an interrupted batch committed (see PgLedger).
CREATE TABLE writer (
  id        integer PRIMARY KEY CHECK (id = 1),
  batch_seq bigint  NOT NULL,
  last_ts   bigint  NOT NULL
);
INSERT INTO writer VALUES (1, 0, 0);

-- Raises (aborting the whole statement) when a bulk write touched an unexpected number of rows.
CREATE FUNCTION expect_rows(actual bigint, expected bigint, what text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF actual <> expected THEN
    RAISE EXCEPTION 'ledger batch wrote % % rows, expected %', actual, what, expected;
  END IF;
  RETURN actual;
END $$;

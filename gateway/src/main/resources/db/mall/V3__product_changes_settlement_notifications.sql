-- Issue #9's gaps: a manufacturer's product list becomes editable (and audited), reimbursements are settled on
-- a schedule, and vendors read (and mark read) their notifications.

-- Every change of a manufacturer token's product list: who, when, what was added and removed, the list after.
-- The ledger's point type holds the list that is enforced; this is the audit trail. (vendor_id, request_key)
-- makes a change idempotent: a retry answers the change already made instead of a second one.
CREATE TABLE allowed_product_change (
  id          BIGSERIAL   PRIMARY KEY,
  vendor_id   BIGINT      NOT NULL REFERENCES vendor (id),
  request_key TEXT        NOT NULL,
  changed_by  TEXT        NOT NULL,   -- the caller's owner string: vendor:<id> or operator:<name>
  added       TEXT[]      NOT NULL,
  removed     TEXT[]      NOT NULL,
  products    TEXT[]      NOT NULL,   -- the list from this change on
  at          TIMESTAMPTZ NOT NULL,
  applied_at  TIMESTAMPTZ,          -- when the ledger's point type was given the list (null: not yet)
  UNIQUE (vendor_id, request_key)
);
CREATE INDEX allowed_product_change_vendor ON allowed_product_change (vendor_id, id DESC);
CREATE INDEX allowed_product_change_unapplied ON allowed_product_change (vendor_id) WHERE applied_at IS NULL;

-- New notification kinds: a product list changed (to the manufacturer and to each vendor whose product was added
-- or removed), reimbursements paid by the schedule, and reimbursements the schedule could not pay (the payer's
-- cash position does not cover them). amount_won and detail say what; read_at is set when the vendor reads it.
ALTER TABLE notification DROP CONSTRAINT notification_kind_check;
ALTER TABLE notification ADD CONSTRAINT notification_kind_check
  CHECK (kind IN ('ISSUANCE', 'REGISTRATION', 'PRODUCTS_CHANGED', 'REIMBURSEMENTS_PAID', 'SETTLEMENT_SHORT'));
ALTER TABLE notification ADD COLUMN amount_won BIGINT      NOT NULL DEFAULT 0;
ALTER TABLE notification ADD COLUMN detail     TEXT        NOT NULL DEFAULT '';
ALTER TABLE notification ADD COLUMN read_at    TIMESTAMPTZ;
CREATE INDEX notification_unread ON notification (vendor_id, id) WHERE read_at IS NULL;

-- Who paid a reimbursement (VENDOR, OPERATOR or SCHEDULE), and when the schedule first reported it as not
-- covered (reported once, not at every run).
ALTER TABLE reimbursement ADD COLUMN paid_by           TEXT CHECK (paid_by IN ('VENDOR', 'OPERATOR', 'SCHEDULE'));
ALTER TABLE reimbursement ADD COLUMN short_reported_at TIMESTAMPTZ;
CREATE INDEX reimbursement_owed ON reimbursement (payer_vendor_id, id) WHERE status = 'OWED';

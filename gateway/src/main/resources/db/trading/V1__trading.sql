-- Cash values set by operators for point types, newest last: the rate history. The current value lives in
-- the ledger (Ledger.setCashValue); this table records who set what and when.
CREATE TABLE rate_history (
  id                   BIGSERIAL   PRIMARY KEY,
  point_type           INTEGER     NOT NULL,
  cash_micros_per_unit BIGINT      NOT NULL CHECK (cash_micros_per_unit > 0),
  set_by               TEXT        NOT NULL,
  set_at               TIMESTAMPTZ NOT NULL
);
CREATE INDEX rate_history_type ON rate_history (point_type, id DESC);

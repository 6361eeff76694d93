-- Open orders of the trading desk, so a restart puts them back on their books (TradingDesk.restore).
-- Closed orders are deleted: their history is in the ledger.
CREATE TABLE book_order (
  id              UUID        PRIMARY KEY,
  owner           TEXT        NOT NULL,
  sell_type       INTEGER     NOT NULL,
  sell_amount     BIGINT      NOT NULL,
  buy_type        INTEGER     NOT NULL,
  buy_amount      BIGINT      NOT NULL,
  seq             BIGINT      NOT NULL,
  placed_at       TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  sell_account    BIGINT      NOT NULL,
  buy_account     BIGINT      NOT NULL,
  remaining       BIGINT      NOT NULL,
  received        BIGINT      NOT NULL,
  hold_generation INTEGER     NOT NULL
);

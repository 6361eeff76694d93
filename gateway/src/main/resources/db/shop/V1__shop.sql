-- The catalog. Prices are whole won (the currency's smallest unit).
CREATE TABLE product (
  id             BIGSERIAL PRIMARY KEY,
  sku            TEXT        NOT NULL UNIQUE,
  name           TEXT        NOT NULL,
  kind           TEXT        NOT NULL,
  features       TEXT        NOT NULL DEFAULT '',
  sizes          TEXT[]      NOT NULL DEFAULT '{}',
  colours        TEXT[]      NOT NULL DEFAULT '{}',
  image_svg      TEXT,
  price_won      BIGINT      NOT NULL CHECK (price_won > 0),
  supplier       TEXT        NOT NULL,
  mileage_mode   TEXT        NOT NULL CHECK (mileage_mode IN ('FIXED', 'PERCENT')),
  mileage_value  BIGINT      NOT NULL CHECK (mileage_value >= 0),  -- FIXED: points per unit; PERCENT: basis points
  stock          INT         NOT NULL CHECK (stock >= 0),
  active         BOOLEAN     NOT NULL DEFAULT TRUE,
  created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX product_kind ON product (kind) WHERE active;

CREATE TABLE orders (
  id                  BIGSERIAL PRIMARY KEY,
  member_id           BIGINT      NOT NULL,
  checkout_key        TEXT        NOT NULL,             -- the client's idempotency key
  status              TEXT        NOT NULL CHECK (status IN ('PENDING', 'PAID', 'DECLINED', 'FAILED', 'REFUNDED')),
  total_won           BIGINT      NOT NULL CHECK (total_won > 0),
  points_type         INT,
  points_amount       BIGINT      NOT NULL DEFAULT 0,
  points_value_won    BIGINT      NOT NULL DEFAULT 0,
  cash_won            BIGINT      NOT NULL CHECK (cash_won >= 0),
  mileage_earned      BIGINT      NOT NULL DEFAULT 0,
  mileage_reversed    BIGINT      NOT NULL DEFAULT 0,
  refund_deduction_won BIGINT     NOT NULL DEFAULT 0,   -- spent mileage taken back from the cash refund
  payment_ref         TEXT,
  decline_reason      TEXT,
  created_at          TIMESTAMPTZ NOT NULL,
  paid_at             TIMESTAMPTZ,
  refunded_at         TIMESTAMPTZ,
  UNIQUE (member_id, checkout_key),
  CHECK (points_value_won + cash_won = total_won)
);
CREATE INDEX orders_member ON orders (member_id, id DESC);

CREATE TABLE order_item (
  order_id       BIGINT NOT NULL REFERENCES orders (id),
  line           INT    NOT NULL,
  product_id     BIGINT NOT NULL REFERENCES product (id),
  name           TEXT   NOT NULL,
  variant        TEXT   NOT NULL DEFAULT '',
  unit_price_won BIGINT NOT NULL,
  quantity       INT    NOT NULL CHECK (quantity > 0),
  mileage        BIGINT NOT NULL,
  PRIMARY KEY (order_id, line)
);

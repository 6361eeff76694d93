-- An item's own price in points per minute (the tariff's unit and bounds: 0..1,000,000,000). Null: the
-- item is rated by its kind's tariff. Either way the kind's increments and minimum charge apply.
ALTER TABLE item ADD COLUMN points_per_minute BIGINT
  CHECK (points_per_minute BETWEEN 0 AND 1000000000);

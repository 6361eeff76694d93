-- The transfer lane now writes on several connections at once and keeps no fence of its own: its statements are
-- settled in batch order, a row written twice is refused by the primary key (or left as it is when a failed or
-- restarted projection writes it again), and the state lane advances the one fence (row 1) only for batches whose
-- rows are written. Row 2, the transfer rows' fence, would only ever equal row 1.
DELETE FROM projection WHERE id = 2;
ALTER TABLE projection DROP CONSTRAINT projection_lane;
ALTER TABLE projection ADD CONSTRAINT projection_one CHECK (id = 1);

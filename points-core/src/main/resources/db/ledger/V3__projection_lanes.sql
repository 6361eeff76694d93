-- The projection in two lanes on two connections (two backends, so two cores): the transfer rows first
-- (append-only, order-free: the costly part, their key and history indexes), then the state (accounts,
-- reservations, the journal records deleted). Each lane has its own fence row; the state lane projects a
-- batch only after the transfer lane has, so 1 (state) <= 2 (transfers) <= writer.batch_seq always.
ALTER TABLE projection DROP CONSTRAINT projection_id_check;
ALTER TABLE projection ADD CONSTRAINT projection_lane CHECK (id IN (1, 2));
INSERT INTO projection SELECT 2, batch_seq FROM projection WHERE id = 1;

-- The last batch of the projection statement that wrote the row (null: written before this migration, in
-- the same transaction as its state). The tables are consistent as of projection row 1: a row whose
-- batch_seq is above it is a committed transfer whose effect on accounts and reservations is not projected
-- yet. A report that sums transfers against account counters filters on it.
ALTER TABLE transfer ADD COLUMN batch_seq bigint;

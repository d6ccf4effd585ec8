-- Idempotency keys expire (IDEMPOTENCY_KEY_TTL): the retention job finds the orders that still
-- carry one by creation time, and this index holds only those.
CREATE INDEX "orders_idempotency_key_created_at_idx" ON "orders"("created_at") WHERE "idempotency_key" IS NOT NULL;

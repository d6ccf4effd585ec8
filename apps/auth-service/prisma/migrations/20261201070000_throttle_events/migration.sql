-- Failed logins become one kind of throttled event among others (sign-ups by address, failed
-- client authentications by client id), each row with the end of its window so that expired
-- rows can be purged whatever throttle wrote them.
ALTER TABLE "login_failures" RENAME TO "throttle_events";
ALTER TABLE "throttle_events" RENAME CONSTRAINT "login_failures_pkey" TO "throttle_events_pkey";
ALTER SEQUENCE "login_failures_id_seq" RENAME TO "throttle_events_id_seq";
ALTER INDEX "login_failures_key_occurred_at_idx" RENAME TO "throttle_events_key_occurred_at_idx";

-- Rows written before this migration counted failed logins over a window of at most a day.
ALTER TABLE "throttle_events" ADD COLUMN "expires_at" TIMESTAMPTZ(3);
UPDATE "throttle_events" SET "expires_at" = "occurred_at" + INTERVAL '1 day';
ALTER TABLE "throttle_events" ALTER COLUMN "expires_at" SET NOT NULL;

CREATE INDEX "throttle_events_expires_at_idx" ON "throttle_events"("expires_at");

-- AlterTable
ALTER TABLE "signing_keys" ADD COLUMN     "withdrawn_at" TIMESTAMPTZ(3),
ADD COLUMN     "withdrawn_by" TEXT;

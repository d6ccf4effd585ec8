-- CreateTable
CREATE TABLE "profiles" (
    "user_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" VARCHAR(100) NOT NULL,
    "bio" VARCHAR(500),
    "locale" VARCHAR(16),
    "time_zone" VARCHAR(64),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "profiles_pkey" PRIMARY KEY ("user_id")
);

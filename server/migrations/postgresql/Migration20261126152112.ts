import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152112 extends Migration {

  override name = 'Migration20261126152112';

  override up(): void | Promise<void> {
    this.addSql(`create table "budget" ("id" varchar(63) not null, "display_name" varchar(128) not null, "description" text not null, "labels" jsonb not null, "scope_kind" varchar(16) not null, "scope_target" varchar(128) not null, "period" varchar(16) not null, "rolling" boolean not null, "time_zone" varchar(64) not null, "amount_micros" bigint not null, "currency" varchar(3) not null, "enforcement" varchar(8) not null, "alert_thresholds" jsonb not null, "enabled" boolean not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "budget_create_time_index" on "budget" ("create_time");`);
    this.addSql(`create index "budget_scope_kind_scope_target_index" on "budget" ("scope_kind", "scope_target");`);

    this.addSql(`create table "budget_alert" ("id" varchar(63) not null, "budget_id" varchar(63) not null, "threshold_percent" double precision not null, "percent_used" double precision not null, "amount_micros" bigint not null, "spent_micros" bigint not null, "reserved_micros" bigint not null, "currency" varchar(3) not null, "period_start" timestamptz not null, "period_end" timestamptz not null, "training_job" varchar(128) not null, "create_time" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "budget_alert_create_time_index" on "budget_alert" ("create_time");`);
    this.addSql(`create index "budget_alert_budget_id_create_time_index" on "budget_alert" ("budget_id", "create_time");`);
    this.addSql(`alter table "budget_alert" add constraint "budget_alert_budget_id_period_start_threshold_percent_unique" unique ("budget_id", "period_start", "threshold_percent");`);

    this.addSql(`create table "spending_entry" ("id" serial primary key, "job" varchar(128) not null, "provider" varchar(128) not null, "service" varchar(128) not null, "creator" varchar(128) not null, "state" varchar(16) not null, "amount_micros" bigint not null, "reservation_micros" bigint not null, "currency" varchar(3) not null, "create_time" timestamptz not null, "settle_time" timestamptz null);`);
    this.addSql(`alter table "spending_entry" add constraint "spending_entry_job_unique" unique ("job");`);
    this.addSql(`create index "spending_entry_provider_index" on "spending_entry" ("provider");`);
    this.addSql(`create index "spending_entry_service_index" on "spending_entry" ("service");`);
    this.addSql(`create index "spending_entry_creator_index" on "spending_entry" ("creator");`);
    this.addSql(`create index "spending_entry_create_time_index" on "spending_entry" ("create_time");`);

    this.addSql(`create table "webhook" ("id" varchar(63) not null, "display_name" varchar(128) not null, "description" text not null, "labels" jsonb not null, "url" varchar(2048) not null, "event_types" jsonb not null, "secret_sealed" text not null, "previous_secret_sealed" text not null, "previous_secret_expire_time" timestamptz null, "secret_update_time" timestamptz not null, "enabled" boolean not null, "cursor" bigint not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "webhook_create_time_index" on "webhook" ("create_time");`);

    this.addSql(`create table "webhook_delivery" ("id" varchar(36) not null, "webhook_id" varchar(63) not null, "event_id" bigint null, "event_type" varchar(128) not null, "event_resource" varchar(512) not null, "test" boolean not null, "url" varchar(2048) not null, "body" text not null, "state" varchar(16) not null, "attempt_count" int not null, "http_status" int not null, "error" text not null, "latency_ms" int not null, "next_attempt_time" timestamptz null, "last_attempt_time" timestamptz not null, "create_time" timestamptz not null, "lease_until" timestamptz null, "lease_token" varchar(36) not null, primary key ("id"));`);
    this.addSql(`create index "webhook_delivery_state_next_attempt_time_index" on "webhook_delivery" ("state", "next_attempt_time");`);
    this.addSql(`create index "webhook_delivery_webhook_id_create_time_index" on "webhook_delivery" ("webhook_id", "create_time");`);
    this.addSql(`create index "webhook_delivery_create_time_index" on "webhook_delivery" ("create_time");`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_webhook_id_event_id_unique" unique ("webhook_id", "event_id");`);

    this.addSql(`alter table "budget_alert" add constraint "budget_alert_budget_id_foreign" foreign key ("budget_id") references "budget" ("id") on delete cascade;`);

    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_webhook_id_foreign" foreign key ("webhook_id") references "webhook" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "budget_alert" drop constraint "budget_alert_budget_id_foreign";`);
    this.addSql(`alter table "webhook_delivery" drop constraint "webhook_delivery_webhook_id_foreign";`);

    this.addSql(`drop table if exists "budget" cascade;`);
    this.addSql(`drop table if exists "budget_alert" cascade;`);
    this.addSql(`drop table if exists "spending_entry" cascade;`);
    this.addSql(`drop table if exists "webhook" cascade;`);
    this.addSql(`drop table if exists "webhook_delivery" cascade;`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261126144624 extends Migration {

  override name = 'Migration20261126144624';

  override up(): void | Promise<void> {
    this.addSql(`create table "ab_test" ("id" varchar(63) not null, "display_name" varchar(256) not null, "description" text not null, "labels" jsonb not null, "service" varchar(63) not null, "variants" jsonb not null, "primary_metric" jsonb not null, "min_samples" int not null, "confidence_level" double precision not null, "sticky" boolean not null, "state" varchar(16) not null, "winner_variant_id" varchar(63) not null, "conclusion_reason" text not null, "promotion" jsonb null, "frozen_results" jsonb null, "create_time" timestamptz not null, "update_time" timestamptz not null, "start_time" timestamptz not null, "end_time" timestamptz null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "ab_test_service_index" on "ab_test" ("service");`);
    this.addSql(`create index "ab_test_state_index" on "ab_test" ("state");`);
    this.addSql(`create index "ab_test_create_time_index" on "ab_test" ("create_time");`);

    this.addSql(`create table "ab_variant_stats" ("id" serial primary key, "ab_test" varchar(63) not null, "variant_id" varchar(63) not null, "requests" int not null, "errors" int not null, "latency_count" int not null, "latency_sum" double precision not null, "latency_sum_squares" double precision not null, "latency_min" double precision not null, "latency_max" double precision not null, "latency_buckets" jsonb not null, "update_time" timestamptz not null);`);
    this.addSql(`alter table "ab_variant_stats" add constraint "ab_variant_stats_ab_test_variant_id_unique" unique ("ab_test", "variant_id");`);

    this.addSql(`create table "canary_rollout" ("id" varchar(63) not null, "display_name" varchar(256) not null, "description" text not null, "labels" jsonb not null, "service" varchar(63) not null, "candidate" jsonb not null, "control" varchar(200) not null, "steps" jsonb not null, "thresholds" jsonb not null, "manual_promotion" boolean not null, "state" varchar(24) not null, "current_step_index" int not null, "current_traffic_percent" int not null, "step_start_time" timestamptz null, "last_observation" jsonb null, "decisions" jsonb not null, "promotion" jsonb null, "create_time" timestamptz not null, "update_time" timestamptz not null, "start_time" timestamptz null, "end_time" timestamptz null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "canary_rollout_service_index" on "canary_rollout" ("service");`);
    this.addSql(`create index "canary_rollout_state_index" on "canary_rollout" ("state");`);
    this.addSql(`create index "canary_rollout_create_time_index" on "canary_rollout" ("create_time");`);

    this.addSql(`create table "health_baseline" ("target" varchar(200) not null, "source" varchar(16) not null, "capture_start_time" timestamptz null, "capture_end_time" timestamptz null, "model_versions" jsonb not null, "sample_count" int not null, "inputs" jsonb not null, "outputs" jsonb not null, "create_time" timestamptz not null, primary key ("target"));`);

    this.addSql(`create table "health_snapshot" ("id" serial primary key, "target" varchar(200) not null, "status" varchar(16) not null, "request_count" int not null, "error_rate" double precision not null, "latency_p99ms" double precision not null, "report" jsonb not null, "evaluate_time" timestamptz not null);`);
    this.addSql(`create index "health_snapshot_evaluate_time_index" on "health_snapshot" ("evaluate_time");`);
    this.addSql(`create index "health_snapshot_target_evaluate_time_index" on "health_snapshot" ("target", "evaluate_time");`);

    this.addSql(`create table "health_thresholds" ("target" varchar(200) not null, "settings" jsonb not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("target"));`);

    this.addSql(`alter table "feedback" add "predicted_label" varchar(256) null, add "ab_test" varchar(200) not null default '', add "canary_rollout" varchar(200) not null default '', add "variant" varchar(63) not null default '';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ab_test" cascade;`);
    this.addSql(`drop table if exists "ab_variant_stats" cascade;`);
    this.addSql(`drop table if exists "canary_rollout" cascade;`);
    this.addSql(`drop table if exists "health_baseline" cascade;`);
    this.addSql(`drop table if exists "health_snapshot" cascade;`);
    this.addSql(`drop table if exists "health_thresholds" cascade;`);

    this.addSql(`alter table "feedback" drop column "predicted_label", drop column "ab_test", drop column "canary_rollout", drop column "variant";`);
  }

}

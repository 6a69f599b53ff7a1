import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152353 extends Migration {

  override name = 'Migration20261126152353';

  override up(): void | Promise<void> {
    this.addSql(`create table "training_job" ("id" varchar(63) not null, "display_name" varchar(128) not null, "description" text not null, "labels" jsonb not null, "service" varchar(128) not null, "spec" jsonb not null, "secret_env" text not null, "creator" varchar(256) not null, "state" varchar(16) not null, "state_message" text not null, "exit_code" int null, "attempt" int not null, "retry_of" varchar(128) not null, "retried_by" varchar(128) not null, "original_job" varchar(128) not null, "provider" varchar(128) not null, "region" varchar(63) not null, "instance_type" varchar(128) not null, "spot_placement" boolean not null, "hourly_price" double precision not null, "handle" jsonb null, "provider_state" varchar(128) not null, "log_cursor" varchar(256) not null, "log_count" int not null, "dispatch_failures" int not null, "submit_time" timestamptz null, "last_poll_time" timestamptz null, "billing_start_time" timestamptz null, "release_time" timestamptz null, "estimated_cost" double precision not null, "actual_cost" double precision not null, "currency" varchar(3) not null, "metrics" jsonb not null, "metrics_step" double precision not null, "last_checkpoint" jsonb null, "artifacts_uri" varchar(2048) not null, "output_model" varchar(128) not null, "output_model_version" varchar(256) not null, "create_time" timestamptz not null, "start_time" timestamptz null, "end_time" timestamptz null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "training_job_state_index" on "training_job" ("state");`);
    this.addSql(`create index "training_job_original_job_index" on "training_job" ("original_job");`);
    this.addSql(`create index "training_job_provider_index" on "training_job" ("provider");`);
    this.addSql(`create index "training_job_output_model_index" on "training_job" ("output_model");`);
    this.addSql(`create index "training_job_create_time_index" on "training_job" ("create_time");`);

    this.addSql(`create table "training_job_token" ("job" varchar(63) not null, "salt" varchar(64) not null, "token_hash" varchar(64) not null, "create_time" timestamptz not null, primary key ("job"));`);
    this.addSql(`alter table "training_job_token" add constraint "training_job_token_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "training_lease" ("name" varchar(63) not null, "holder" varchar(128) not null, "acquire_time" timestamptz not null, "expire_time" timestamptz not null, primary key ("name"));`);

    this.addSql(`create table "training_log_line" ("id" serial primary key, "job" varchar(63) not null, "seq" int not null, "time" timestamptz not null, "stream" varchar(8) not null, "text" text not null);`);
    this.addSql(`alter table "training_log_line" add constraint "training_log_line_job_seq_unique" unique ("job", "seq");`);

    this.addSql(`create table "training_metric_report" ("id" serial primary key, "job" varchar(63) not null, "step" double precision not null, "metrics" jsonb not null, "time" timestamptz not null);`);
    this.addSql(`create index "training_metric_report_job_id_index" on "training_metric_report" ("job", "id");`);
    this.addSql(`alter table "training_metric_report" add constraint "training_metric_report_job_step_unique" unique ("job", "step");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "training_job" cascade;`);
    this.addSql(`drop table if exists "training_job_token" cascade;`);
    this.addSql(`drop table if exists "training_lease" cascade;`);
    this.addSql(`drop table if exists "training_log_line" cascade;`);
    this.addSql(`drop table if exists "training_metric_report" cascade;`);
  }

}

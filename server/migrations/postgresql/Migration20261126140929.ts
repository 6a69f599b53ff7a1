import { Migration } from '@mikro-orm/migrations';

export class Migration20261126140929 extends Migration {

  override name = 'Migration20261126140929';

  override up(): void | Promise<void> {
    this.addSql(`create table "api_key" ("id" varchar(63) not null, "display_name" varchar(256) not null, "scopes" jsonb not null, "key_hash" varchar(64) not null, "key_prefix" varchar(32) not null, "rate_limit_rps" double precision not null, "rate_limit_burst" int not null, "expire_time" timestamptz null, "state" varchar(16) not null, "labels" jsonb not null, "creator" varchar(256) not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revoke_time" timestamptz null, "last_use_time" timestamptz null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);
    this.addSql(`create index "api_key_create_time_index" on "api_key" ("create_time");`);

    this.addSql(`create table "feedback" ("id" serial primary key, "prediction_id" varchar(256) not null, "row" int not null, "service" varchar(63) not null, "model_version" varchar(200) not null, "label" varchar(256) null, "value" double precision null, "metrics" jsonb not null, "predict_time" timestamptz not null, "create_time" timestamptz not null, "update_time" timestamptz not null);`);
    this.addSql(`create index "feedback_service_index" on "feedback" ("service");`);
    this.addSql(`alter table "feedback" add constraint "feedback_prediction_id_row_unique" unique ("prediction_id", "row");`);

    this.addSql(`create table "idempotency_record" ("id" serial primary key, "scope" varchar(512) not null, "request_id" varchar(128) not null, "response" text not null, "request_hash" varchar(64) not null, "create_time" timestamptz not null);`);
    this.addSql(`create index "idempotency_record_create_time_index" on "idempotency_record" ("create_time");`);
    this.addSql(`alter table "idempotency_record" add constraint "idempotency_record_scope_request_id_unique" unique ("scope", "request_id");`);

    this.addSql(`create table "model" ("id" varchar(63) not null, "display_name" varchar(256) not null, "description" text not null, "framework" varchar(64) not null, "labels" jsonb not null, "next_version_number" int not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "model_create_time_index" on "model" ("create_time");`);

    this.addSql(`create table "model_alias" ("id" serial primary key, "model_id" varchar(63) not null, "alias" varchar(63) not null, "version_number" int not null, "update_time" timestamptz not null);`);
    this.addSql(`alter table "model_alias" add constraint "model_alias_model_id_alias_unique" unique ("model_id", "alias");`);

    this.addSql(`create table "model_transition" ("id" serial primary key, "model_id" varchar(63) not null, "kind" varchar(16) not null, "version_number" int not null, "from_stage" varchar(16) not null, "to_stage" varchar(16) not null, "alias" varchar(63) not null, "previous_version_number" int null, "actor" varchar(256) not null, "reason" text not null, "create_time" timestamptz not null);`);
    this.addSql(`create index "model_transition_model_id_id_index" on "model_transition" ("model_id", "id");`);

    this.addSql(`create table "model_version" ("id" serial primary key, "model_id" varchar(63) not null, "number" int not null, "description" text not null, "labels" jsonb not null, "stage" varchar(16) not null, "metrics" jsonb not null, "params" jsonb not null, "artifact_uri" varchar(2048) not null, "artifact_format" varchar(16) not null, "artifact_size_bytes" double precision not null, "artifact_sha256" varchar(64) not null, "artifact_content_type" varchar(128) not null, "artifact_external" boolean not null, "signature" jsonb null, "source_training_job" varchar(256) not null, "creator" varchar(256) not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "stage_update_time" timestamptz not null, "revision" int not null default 1);`);
    this.addSql(`create index "model_version_model_id_stage_index" on "model_version" ("model_id", "stage");`);
    this.addSql(`create index "model_version_model_id_create_time_index" on "model_version" ("model_id", "create_time");`);
    this.addSql(`alter table "model_version" add constraint "model_version_model_id_number_unique" unique ("model_id", "number");`);

    this.addSql(`create table "outbox_event" ("id" serial primary key, "topic" varchar(32) not null, "type" varchar(128) not null, "resource" varchar(512) not null, "actor" varchar(256) not null, "request_id" varchar(128) not null, "data" jsonb not null, "create_time" timestamptz not null);`);
    this.addSql(`create index "outbox_event_topic_index" on "outbox_event" ("topic");`);
    this.addSql(`create index "outbox_event_resource_index" on "outbox_event" ("resource");`);
    this.addSql(`create index "outbox_event_create_time_index" on "outbox_event" ("create_time");`);

    this.addSql(`create table "service" ("id" varchar(63) not null, "display_name" varchar(200) not null, "description" text not null, "labels" jsonb not null, "target_kind" varchar(16) not null, "target_model" varchar(63) not null, "target_version" int null, "target_alias" varchar(63) not null, "target_ensemble" varchar(63) not null, "batching_enabled" boolean not null, "max_batch_size" int not null, "max_wait_micros" int not null, "intra_op_threads" int not null, "inter_op_threads" int not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "target_update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "service_target_model_index" on "service" ("target_model");`);
    this.addSql(`create index "service_create_time_index" on "service" ("create_time");`);

    this.addSql(`create table "service_target_change" ("id" serial primary key, "service_id" varchar(63) not null, "target" jsonb not null, "resolved_model_version" varchar(200) not null, "previous_resolved_model_version" varchar(200) not null, "cause" varchar(32) not null, "actor" varchar(256) not null, "reason" text not null, "change_time" timestamptz not null);`);
    this.addSql(`create index "service_target_change_service_id_id_index" on "service_target_change" ("service_id", "id");`);

    this.addSql(`alter table "model_alias" add constraint "model_alias_model_id_foreign" foreign key ("model_id") references "model" ("id") on delete cascade;`);

    this.addSql(`alter table "model_transition" add constraint "model_transition_model_id_foreign" foreign key ("model_id") references "model" ("id") on delete cascade;`);

    this.addSql(`alter table "model_version" add constraint "model_version_model_id_foreign" foreign key ("model_id") references "model" ("id") on delete cascade;`);

    this.addSql(`alter table "service_target_change" add constraint "service_target_change_service_id_foreign" foreign key ("service_id") references "service" ("id") on delete cascade;`);
  }

}

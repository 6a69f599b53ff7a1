import { Migration } from '@mikro-orm/migrations';

export class Migration20261126140929 extends Migration {

  override name = 'Migration20261126140929';

  override up(): void | Promise<void> {
    this.addSql(`create table \`api_key\` (\`id\` text not null primary key, \`display_name\` text not null, \`scopes\` json not null, \`key_hash\` text not null, \`key_prefix\` text not null, \`rate_limit_rps\` double not null, \`rate_limit_burst\` integer not null, \`expire_time\` datetime null, \`state\` text not null, \`labels\` json not null, \`creator\` text not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revoke_time\` datetime null, \`last_use_time\` datetime null, \`revision\` integer not null default 1);`);
    this.addSql(`create unique index \`api_key_key_hash_unique\` on \`api_key\` (\`key_hash\`);`);
    this.addSql(`create index \`api_key_create_time_index\` on \`api_key\` (\`create_time\`);`);

    this.addSql(`create table \`feedback\` (\`id\` integer not null primary key autoincrement, \`prediction_id\` text not null, \`row\` integer not null, \`service\` text not null, \`model_version\` text not null, \`label\` text null, \`value\` double null, \`metrics\` json not null, \`predict_time\` datetime not null, \`create_time\` datetime not null, \`update_time\` datetime not null);`);
    this.addSql(`create index \`feedback_service_index\` on \`feedback\` (\`service\`);`);
    this.addSql(`create unique index \`feedback_prediction_id_row_unique\` on \`feedback\` (\`prediction_id\`, \`row\`);`);

    this.addSql(`create table \`idempotency_record\` (\`id\` integer not null primary key autoincrement, \`scope\` text not null, \`request_id\` text not null, \`response\` text not null, \`request_hash\` text not null, \`create_time\` datetime not null);`);
    this.addSql(`create index \`idempotency_record_create_time_index\` on \`idempotency_record\` (\`create_time\`);`);
    this.addSql(`create unique index \`idempotency_record_scope_request_id_unique\` on \`idempotency_record\` (\`scope\`, \`request_id\`);`);

    this.addSql(`create table \`model\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`framework\` text not null, \`labels\` json not null, \`next_version_number\` integer not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`model_create_time_index\` on \`model\` (\`create_time\`);`);

    this.addSql(`create table \`model_alias\` (\`id\` integer not null primary key autoincrement, \`model_id\` text not null, \`alias\` text not null, \`version_number\` integer not null, \`update_time\` datetime not null, constraint \`model_alias_model_id_foreign\` foreign key (\`model_id\`) references \`model\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`model_alias_model_id_index\` on \`model_alias\` (\`model_id\`);`);
    this.addSql(`create unique index \`model_alias_model_id_alias_unique\` on \`model_alias\` (\`model_id\`, \`alias\`);`);

    this.addSql(`create table \`model_transition\` (\`id\` integer not null primary key autoincrement, \`model_id\` text not null, \`kind\` text not null, \`version_number\` integer not null, \`from_stage\` text not null, \`to_stage\` text not null, \`alias\` text not null, \`previous_version_number\` integer null, \`actor\` text not null, \`reason\` text not null, \`create_time\` datetime not null, constraint \`model_transition_model_id_foreign\` foreign key (\`model_id\`) references \`model\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`model_transition_model_id_index\` on \`model_transition\` (\`model_id\`);`);
    this.addSql(`create index \`model_transition_model_id_id_index\` on \`model_transition\` (\`model_id\`, \`id\`);`);

    this.addSql(`create table \`model_version\` (\`id\` integer not null primary key autoincrement, \`model_id\` text not null, \`number\` integer not null, \`description\` text not null, \`labels\` json not null, \`stage\` text not null, \`metrics\` json not null, \`params\` json not null, \`artifact_uri\` text not null, \`artifact_format\` text not null, \`artifact_size_bytes\` double not null, \`artifact_sha256\` text not null, \`artifact_content_type\` text not null, \`artifact_external\` integer not null, \`signature\` json null, \`source_training_job\` text not null, \`creator\` text not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`stage_update_time\` datetime not null, \`revision\` integer not null default 1, constraint \`model_version_model_id_foreign\` foreign key (\`model_id\`) references \`model\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`model_version_model_id_index\` on \`model_version\` (\`model_id\`);`);
    this.addSql(`create index \`model_version_model_id_stage_index\` on \`model_version\` (\`model_id\`, \`stage\`);`);
    this.addSql(`create index \`model_version_model_id_create_time_index\` on \`model_version\` (\`model_id\`, \`create_time\`);`);
    this.addSql(`create unique index \`model_version_model_id_number_unique\` on \`model_version\` (\`model_id\`, \`number\`);`);

    this.addSql(`create table \`outbox_event\` (\`id\` integer not null primary key autoincrement, \`topic\` text not null, \`type\` text not null, \`resource\` text not null, \`actor\` text not null, \`request_id\` text not null, \`data\` json not null, \`create_time\` datetime not null);`);
    this.addSql(`create index \`outbox_event_topic_index\` on \`outbox_event\` (\`topic\`);`);
    this.addSql(`create index \`outbox_event_resource_index\` on \`outbox_event\` (\`resource\`);`);
    this.addSql(`create index \`outbox_event_create_time_index\` on \`outbox_event\` (\`create_time\`);`);

    this.addSql(`create table \`service\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`target_kind\` text not null, \`target_model\` text not null, \`target_version\` integer null, \`target_alias\` text not null, \`target_ensemble\` text not null, \`batching_enabled\` integer not null, \`max_batch_size\` integer not null, \`max_wait_micros\` integer not null, \`intra_op_threads\` integer not null, \`inter_op_threads\` integer not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`target_update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`service_target_model_index\` on \`service\` (\`target_model\`);`);
    this.addSql(`create index \`service_create_time_index\` on \`service\` (\`create_time\`);`);

    this.addSql(`create table \`service_target_change\` (\`id\` integer not null primary key autoincrement, \`service_id\` text not null, \`target\` json not null, \`resolved_model_version\` text not null, \`previous_resolved_model_version\` text not null, \`cause\` text not null, \`actor\` text not null, \`reason\` text not null, \`change_time\` datetime not null, constraint \`service_target_change_service_id_foreign\` foreign key (\`service_id\`) references \`service\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`service_target_change_service_id_index\` on \`service_target_change\` (\`service_id\`);`);
    this.addSql(`create index \`service_target_change_service_id_id_index\` on \`service_target_change\` (\`service_id\`, \`id\`);`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152353 extends Migration {

  override name = 'Migration20261126152353';

  override up(): void | Promise<void> {
    this.addSql(`create table \`training_job\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`service\` text not null, \`spec\` json not null, \`secret_env\` text not null, \`creator\` text not null, \`state\` text not null, \`state_message\` text not null, \`exit_code\` integer null, \`attempt\` integer not null, \`retry_of\` text not null, \`retried_by\` text not null, \`original_job\` text not null, \`provider\` text not null, \`region\` text not null, \`instance_type\` text not null, \`spot_placement\` integer not null, \`hourly_price\` double not null, \`handle\` json null, \`provider_state\` text not null, \`log_cursor\` text not null, \`log_count\` integer not null, \`dispatch_failures\` integer not null, \`submit_time\` datetime null, \`last_poll_time\` datetime null, \`billing_start_time\` datetime null, \`release_time\` datetime null, \`estimated_cost\` double not null, \`actual_cost\` double not null, \`currency\` text not null, \`metrics\` json not null, \`metrics_step\` double not null, \`last_checkpoint\` json null, \`artifacts_uri\` text not null, \`output_model\` text not null, \`output_model_version\` text not null, \`create_time\` datetime not null, \`start_time\` datetime null, \`end_time\` datetime null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`training_job_state_index\` on \`training_job\` (\`state\`);`);
    this.addSql(`create index \`training_job_original_job_index\` on \`training_job\` (\`original_job\`);`);
    this.addSql(`create index \`training_job_provider_index\` on \`training_job\` (\`provider\`);`);
    this.addSql(`create index \`training_job_output_model_index\` on \`training_job\` (\`output_model\`);`);
    this.addSql(`create index \`training_job_create_time_index\` on \`training_job\` (\`create_time\`);`);

    this.addSql(`create table \`training_job_token\` (\`job\` text not null primary key, \`salt\` text not null, \`token_hash\` text not null, \`create_time\` datetime not null);`);
    this.addSql(`create unique index \`training_job_token_token_hash_unique\` on \`training_job_token\` (\`token_hash\`);`);

    this.addSql(`create table \`training_lease\` (\`name\` text not null primary key, \`holder\` text not null, \`acquire_time\` datetime not null, \`expire_time\` datetime not null);`);

    this.addSql(`create table \`training_log_line\` (\`id\` integer not null primary key autoincrement, \`job\` text not null, \`seq\` integer not null, \`time\` datetime not null, \`stream\` text not null, \`text\` text not null);`);
    this.addSql(`create unique index \`training_log_line_job_seq_unique\` on \`training_log_line\` (\`job\`, \`seq\`);`);

    this.addSql(`create table \`training_metric_report\` (\`id\` integer not null primary key autoincrement, \`job\` text not null, \`step\` double not null, \`metrics\` json not null, \`time\` datetime not null);`);
    this.addSql(`create index \`training_metric_report_job_id_index\` on \`training_metric_report\` (\`job\`, \`id\`);`);
    this.addSql(`create unique index \`training_metric_report_job_step_unique\` on \`training_metric_report\` (\`job\`, \`step\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`training_job\`;`);
    this.addSql(`drop table if exists \`training_job_token\`;`);
    this.addSql(`drop table if exists \`training_lease\`;`);
    this.addSql(`drop table if exists \`training_log_line\`;`);
    this.addSql(`drop table if exists \`training_metric_report\`;`);
  }

}

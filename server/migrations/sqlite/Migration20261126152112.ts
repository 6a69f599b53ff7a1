import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152112 extends Migration {

  override name = 'Migration20261126152112';

  override up(): void | Promise<void> {
    this.addSql(`create table \`budget\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`scope_kind\` text not null, \`scope_target\` text not null, \`period\` text not null, \`rolling\` integer not null, \`time_zone\` text not null, \`amount_micros\` bigint not null, \`currency\` text not null, \`enforcement\` text not null, \`alert_thresholds\` json not null, \`enabled\` integer not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`budget_create_time_index\` on \`budget\` (\`create_time\`);`);
    this.addSql(`create index \`budget_scope_kind_scope_target_index\` on \`budget\` (\`scope_kind\`, \`scope_target\`);`);

    this.addSql(`create table \`budget_alert\` (\`id\` text not null primary key, \`budget_id\` text not null, \`threshold_percent\` double not null, \`percent_used\` double not null, \`amount_micros\` bigint not null, \`spent_micros\` bigint not null, \`reserved_micros\` bigint not null, \`currency\` text not null, \`period_start\` datetime not null, \`period_end\` datetime not null, \`training_job\` text not null, \`create_time\` datetime not null, constraint \`budget_alert_budget_id_foreign\` foreign key (\`budget_id\`) references \`budget\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`budget_alert_budget_id_index\` on \`budget_alert\` (\`budget_id\`);`);
    this.addSql(`create index \`budget_alert_create_time_index\` on \`budget_alert\` (\`create_time\`);`);
    this.addSql(`create index \`budget_alert_budget_id_create_time_index\` on \`budget_alert\` (\`budget_id\`, \`create_time\`);`);
    this.addSql(`create unique index \`budget_alert_budget_id_period_start_threshold_percent_unique\` on \`budget_alert\` (\`budget_id\`, \`period_start\`, \`threshold_percent\`);`);

    this.addSql(`create table \`spending_entry\` (\`id\` integer not null primary key autoincrement, \`job\` text not null, \`provider\` text not null, \`service\` text not null, \`creator\` text not null, \`state\` text not null, \`amount_micros\` bigint not null, \`reservation_micros\` bigint not null, \`currency\` text not null, \`create_time\` datetime not null, \`settle_time\` datetime null);`);
    this.addSql(`create unique index \`spending_entry_job_unique\` on \`spending_entry\` (\`job\`);`);
    this.addSql(`create index \`spending_entry_provider_index\` on \`spending_entry\` (\`provider\`);`);
    this.addSql(`create index \`spending_entry_service_index\` on \`spending_entry\` (\`service\`);`);
    this.addSql(`create index \`spending_entry_creator_index\` on \`spending_entry\` (\`creator\`);`);
    this.addSql(`create index \`spending_entry_create_time_index\` on \`spending_entry\` (\`create_time\`);`);

    this.addSql(`create table \`webhook\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`url\` text not null, \`event_types\` json not null, \`secret_sealed\` text not null, \`previous_secret_sealed\` text not null, \`previous_secret_expire_time\` datetime null, \`secret_update_time\` datetime not null, \`enabled\` integer not null, \`cursor\` bigint not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`webhook_create_time_index\` on \`webhook\` (\`create_time\`);`);

    this.addSql(`create table \`webhook_delivery\` (\`id\` text not null primary key, \`webhook_id\` text not null, \`event_id\` bigint null, \`event_type\` text not null, \`event_resource\` text not null, \`test\` integer not null, \`url\` text not null, \`body\` text not null, \`state\` text not null, \`attempt_count\` integer not null, \`http_status\` integer not null, \`error\` text not null, \`latency_ms\` integer not null, \`next_attempt_time\` datetime null, \`last_attempt_time\` datetime not null, \`create_time\` datetime not null, \`lease_until\` datetime null, \`lease_token\` text not null, constraint \`webhook_delivery_webhook_id_foreign\` foreign key (\`webhook_id\`) references \`webhook\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`webhook_delivery_webhook_id_index\` on \`webhook_delivery\` (\`webhook_id\`);`);
    this.addSql(`create index \`webhook_delivery_state_next_attempt_time_index\` on \`webhook_delivery\` (\`state\`, \`next_attempt_time\`);`);
    this.addSql(`create index \`webhook_delivery_webhook_id_create_time_index\` on \`webhook_delivery\` (\`webhook_id\`, \`create_time\`);`);
    this.addSql(`create index \`webhook_delivery_create_time_index\` on \`webhook_delivery\` (\`create_time\`);`);
    this.addSql(`create unique index \`webhook_delivery_webhook_id_event_id_unique\` on \`webhook_delivery\` (\`webhook_id\`, \`event_id\`);`);
  }

  override down(): void | Promise<void> {

    this.addSql(`drop table if exists \`budget\`;`);
    this.addSql(`drop table if exists \`budget_alert\`;`);
    this.addSql(`drop table if exists \`spending_entry\`;`);
    this.addSql(`drop table if exists \`webhook\`;`);
    this.addSql(`drop table if exists \`webhook_delivery\`;`);
  }

}

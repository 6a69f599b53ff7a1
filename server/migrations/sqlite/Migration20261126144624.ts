import { Migration } from '@mikro-orm/migrations';

export class Migration20261126144624 extends Migration {

  override name = 'Migration20261126144624';

  override up(): void | Promise<void> {
    this.addSql(`create table \`ab_test\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`service\` text not null, \`variants\` json not null, \`primary_metric\` json not null, \`min_samples\` integer not null, \`confidence_level\` double not null, \`sticky\` integer not null, \`state\` text not null, \`winner_variant_id\` text not null, \`conclusion_reason\` text not null, \`promotion\` json null, \`frozen_results\` json null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`start_time\` datetime not null, \`end_time\` datetime null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`ab_test_service_index\` on \`ab_test\` (\`service\`);`);
    this.addSql(`create index \`ab_test_state_index\` on \`ab_test\` (\`state\`);`);
    this.addSql(`create index \`ab_test_create_time_index\` on \`ab_test\` (\`create_time\`);`);

    this.addSql(`create table \`ab_variant_stats\` (\`id\` integer not null primary key autoincrement, \`ab_test\` text not null, \`variant_id\` text not null, \`requests\` integer not null, \`errors\` integer not null, \`latency_count\` integer not null, \`latency_sum\` double not null, \`latency_sum_squares\` double not null, \`latency_min\` double not null, \`latency_max\` double not null, \`latency_buckets\` json not null, \`update_time\` datetime not null);`);
    this.addSql(`create unique index \`ab_variant_stats_ab_test_variant_id_unique\` on \`ab_variant_stats\` (\`ab_test\`, \`variant_id\`);`);

    this.addSql(`create table \`canary_rollout\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`service\` text not null, \`candidate\` json not null, \`control\` text not null, \`steps\` json not null, \`thresholds\` json not null, \`manual_promotion\` integer not null, \`state\` text not null, \`current_step_index\` integer not null, \`current_traffic_percent\` integer not null, \`step_start_time\` datetime null, \`last_observation\` json null, \`decisions\` json not null, \`promotion\` json null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`start_time\` datetime null, \`end_time\` datetime null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`canary_rollout_service_index\` on \`canary_rollout\` (\`service\`);`);
    this.addSql(`create index \`canary_rollout_state_index\` on \`canary_rollout\` (\`state\`);`);
    this.addSql(`create index \`canary_rollout_create_time_index\` on \`canary_rollout\` (\`create_time\`);`);

    this.addSql(`create table \`health_baseline\` (\`target\` text not null primary key, \`source\` text not null, \`capture_start_time\` datetime null, \`capture_end_time\` datetime null, \`model_versions\` json not null, \`sample_count\` integer not null, \`inputs\` json not null, \`outputs\` json not null, \`create_time\` datetime not null);`);

    this.addSql(`create table \`health_snapshot\` (\`id\` integer not null primary key autoincrement, \`target\` text not null, \`status\` text not null, \`request_count\` integer not null, \`error_rate\` double not null, \`latency_p99ms\` double not null, \`report\` json not null, \`evaluate_time\` datetime not null);`);
    this.addSql(`create index \`health_snapshot_evaluate_time_index\` on \`health_snapshot\` (\`evaluate_time\`);`);
    this.addSql(`create index \`health_snapshot_target_evaluate_time_index\` on \`health_snapshot\` (\`target\`, \`evaluate_time\`);`);

    this.addSql(`create table \`health_thresholds\` (\`target\` text not null primary key, \`settings\` json not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);

    this.addSql(`alter table \`feedback\` add column \`predicted_label\` text null;`);
    this.addSql(`alter table \`feedback\` add column \`ab_test\` text not null default '';`);
    this.addSql(`alter table \`feedback\` add column \`canary_rollout\` text not null default '';`);
    this.addSql(`alter table \`feedback\` add column \`variant\` text not null default '';`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`ab_test\`;`);
    this.addSql(`drop table if exists \`ab_variant_stats\`;`);
    this.addSql(`drop table if exists \`canary_rollout\`;`);
    this.addSql(`drop table if exists \`health_baseline\`;`);
    this.addSql(`drop table if exists \`health_snapshot\`;`);
    this.addSql(`drop table if exists \`health_thresholds\`;`);

    this.addSql(`alter table \`feedback\` drop column \`predicted_label\`;`);
    this.addSql(`alter table \`feedback\` drop column \`ab_test\`;`);
    this.addSql(`alter table \`feedback\` drop column \`canary_rollout\`;`);
    this.addSql(`alter table \`feedback\` drop column \`variant\`;`);
  }

}

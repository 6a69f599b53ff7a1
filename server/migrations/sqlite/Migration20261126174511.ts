import { Migration } from '@mikro-orm/migrations';

export class Migration20261126174511 extends Migration {

  override name = 'Migration20261126174511';

  override up(): void | Promise<void> {
    this.addSql(`create table \`mlflow_cursor\` (\`name\` text not null primary key, \`event_id\` integer not null, \`lease_holder\` text not null, \`lease_until\` datetime not null);`);

    this.addSql(`create table \`mlflow_run\` (\`job\` text not null primary key, \`experiment_id\` text not null, \`run_id\` text not null, \`params_logged\` integer not null, \`metric_report_id\` integer not null, \`end_status\` text not null, \`model_version\` text not null, \`pending\` integer not null, \`attempts\` integer not null, \`next_attempt_time\` datetime not null, \`last_error\` text not null, \`update_time\` datetime not null);`);
    this.addSql(`create index \`mlflow_run_pending_index\` on \`mlflow_run\` (\`pending\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`mlflow_cursor\`;`);
    this.addSql(`drop table if exists \`mlflow_run\`;`);
  }

}

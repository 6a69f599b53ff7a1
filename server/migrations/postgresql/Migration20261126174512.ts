import { Migration } from '@mikro-orm/migrations';

export class Migration20261126174512 extends Migration {

  override name = 'Migration20261126174512';

  override up(): void | Promise<void> {
    this.addSql(`create table "mlflow_cursor" ("name" varchar(63) not null, "event_id" int not null, "lease_holder" varchar(128) not null, "lease_until" timestamptz not null, primary key ("name"));`);

    this.addSql(`create table "mlflow_run" ("job" varchar(63) not null, "experiment_id" varchar(64) not null, "run_id" varchar(64) not null, "params_logged" boolean not null, "metric_report_id" int not null, "end_status" varchar(16) not null, "model_version" varchar(256) not null, "pending" boolean not null, "attempts" int not null, "next_attempt_time" timestamptz not null, "last_error" text not null, "update_time" timestamptz not null, primary key ("job"));`);
    this.addSql(`create index "mlflow_run_pending_index" on "mlflow_run" ("pending");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "mlflow_cursor" cascade;`);
    this.addSql(`drop table if exists "mlflow_run" cascade;`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261126145227 extends Migration {

  override name = 'Migration20261126145227';

  override up(): void | Promise<void> {
    this.addSql(`create table "ensemble" ("id" varchar(63) not null, "display_name" varchar(256) not null, "description" text not null, "labels" jsonb not null, "task" varchar(16) not null, "strategy" varchar(24) not null, "strategy_settings" jsonb not null, "members" jsonb not null, "member_index" text not null, "meta_model_version" varchar(200) not null, "member_timeout_ms" int not null, "quorum" int not null, "fallback_mode" varchar(24) not null, "fallback_model_version" varchar(200) not null, "auto_prune" jsonb not null, "auto_evolve" jsonb not null, "learned" jsonb not null, "stacking_buffer" jsonb not null, "member_stats" jsonb not null, "config_version" int not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
    this.addSql(`create index "ensemble_strategy_index" on "ensemble" ("strategy");`);
    this.addSql(`create index "ensemble_create_time_index" on "ensemble" ("create_time");`);

    this.addSql(`create table "ensemble_snapshot" ("id" serial primary key, "ensemble_id" varchar(63) not null, "version" int not null, "state" jsonb not null, "change_kind" varchar(24) not null, "reason" text not null, "actor" varchar(256) not null, "create_time" timestamptz not null);`);
    this.addSql(`alter table "ensemble_snapshot" add constraint "ensemble_snapshot_ensemble_id_version_unique" unique ("ensemble_id", "version");`);

    this.addSql(`alter table "ensemble_snapshot" add constraint "ensemble_snapshot_ensemble_id_foreign" foreign key ("ensemble_id") references "ensemble" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "ensemble_snapshot" drop constraint "ensemble_snapshot_ensemble_id_foreign";`);

    this.addSql(`drop table if exists "ensemble" cascade;`);
    this.addSql(`drop table if exists "ensemble_snapshot" cascade;`);
  }

}

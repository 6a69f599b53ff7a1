import { Migration } from '@mikro-orm/migrations';

export class Migration20261126163034 extends Migration {

  override name = 'Migration20261126163034';

  override up(): void | Promise<void> {
    this.addSql(`create table "ensemble_training_group" ("id" varchar(64) not null, "ensemble" varchar(63) not null, "replace_members" boolean not null, "members" jsonb not null, "state" varchar(16) not null, "state_message" text not null, "result_version" int not null, "creator" varchar(256) not null, "create_time" timestamptz not null, "update_time" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "ensemble_training_group_ensemble_index" on "ensemble_training_group" ("ensemble");`);
    this.addSql(`create index "ensemble_training_group_state_index" on "ensemble_training_group" ("state");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "ensemble_training_group" cascade;`);
  }

}

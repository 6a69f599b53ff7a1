import { Migration } from '@mikro-orm/migrations';

export class Migration20261126173611 extends Migration {

  override name = 'Migration20261126173611';

  override up(): void | Promise<void> {
    this.addSql(`create table "setting_audit" ("id" serial primary key, "scope" varchar(63) not null, "section" varchar(63) not null, "key" varchar(63) not null, "action" varchar(16) not null, "old_value" text null, "new_value" text null, "old_source" varchar(16) not null, "new_source" varchar(16) not null, "secret" boolean not null, "actor" varchar(256) not null, "request_id" varchar(128) not null, "create_time" timestamptz not null);`);
    this.addSql(`create index "setting_audit_create_time_index" on "setting_audit" ("create_time");`);

    this.addSql(`create table "setting_section" ("scope" varchar(63) not null, "section" varchar(63) not null, "revision" int not null, primary key ("scope", "section"));`);

    this.addSql(`create table "setting_value" ("scope" varchar(63) not null, "section" varchar(63) not null, "key" varchar(63) not null, "value" text not null, "update_time" timestamptz not null, "updater" varchar(256) not null, primary key ("scope", "section", "key"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "setting_audit" cascade;`);
    this.addSql(`drop table if exists "setting_section" cascade;`);
    this.addSql(`drop table if exists "setting_value" cascade;`);
  }

}

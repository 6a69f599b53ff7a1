import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152720 extends Migration {

  override name = 'Migration20261126152720';

  override up(): void | Promise<void> {
    this.addSql(`create table "provider_settings" ("id" varchar(63) not null, "enabled" boolean not null, "config" jsonb not null, "sealed_credentials" text not null, "credential_keys" jsonb not null, "last_check_time" timestamptz null, "last_check_ok" boolean null, "last_check_message" text not null, "create_time" timestamptz not null, "update_time" timestamptz not null, "revision" int not null default 1, primary key ("id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provider_settings" cascade;`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261126152720 extends Migration {

  override name = 'Migration20261126152720';

  override up(): void | Promise<void> {
    this.addSql(`create table \`provider_settings\` (\`id\` text not null primary key, \`enabled\` integer not null, \`config\` json not null, \`sealed_credentials\` text not null, \`credential_keys\` json not null, \`last_check_time\` datetime null, \`last_check_ok\` integer null, \`last_check_message\` text not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`provider_settings\`;`);
  }

}

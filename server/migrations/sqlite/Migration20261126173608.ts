import { Migration } from '@mikro-orm/migrations';

export class Migration20261126173608 extends Migration {

  override name = 'Migration20261126173608';

  override up(): void | Promise<void> {
    this.addSql(`create table \`setting_audit\` (\`id\` integer not null primary key autoincrement, \`scope\` text not null, \`section\` text not null, \`key\` text not null, \`action\` text not null, \`old_value\` text null, \`new_value\` text null, \`old_source\` text not null, \`new_source\` text not null, \`secret\` integer not null, \`actor\` text not null, \`request_id\` text not null, \`create_time\` datetime not null);`);
    this.addSql(`create index \`setting_audit_create_time_index\` on \`setting_audit\` (\`create_time\`);`);

    this.addSql(`create table \`setting_section\` (\`scope\` text not null, \`section\` text not null, \`revision\` integer not null, primary key (\`scope\`, \`section\`));`);

    this.addSql(`create table \`setting_value\` (\`scope\` text not null, \`section\` text not null, \`key\` text not null, \`value\` text not null, \`update_time\` datetime not null, \`updater\` text not null, primary key (\`scope\`, \`section\`, \`key\`));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`setting_audit\`;`);
    this.addSql(`drop table if exists \`setting_section\`;`);
    this.addSql(`drop table if exists \`setting_value\`;`);
  }

}

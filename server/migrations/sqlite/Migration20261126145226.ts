import { Migration } from '@mikro-orm/migrations';

export class Migration20261126145226 extends Migration {

  override name = 'Migration20261126145226';

  override up(): void | Promise<void> {
    this.addSql(`create table \`ensemble\` (\`id\` text not null primary key, \`display_name\` text not null, \`description\` text not null, \`labels\` json not null, \`task\` text not null, \`strategy\` text not null, \`strategy_settings\` json not null, \`members\` json not null, \`member_index\` text not null, \`meta_model_version\` text not null, \`member_timeout_ms\` integer not null, \`quorum\` integer not null, \`fallback_mode\` text not null, \`fallback_model_version\` text not null, \`auto_prune\` json not null, \`auto_evolve\` json not null, \`learned\` json not null, \`stacking_buffer\` json not null, \`member_stats\` json not null, \`config_version\` integer not null, \`create_time\` datetime not null, \`update_time\` datetime not null, \`revision\` integer not null default 1);`);
    this.addSql(`create index \`ensemble_strategy_index\` on \`ensemble\` (\`strategy\`);`);
    this.addSql(`create index \`ensemble_create_time_index\` on \`ensemble\` (\`create_time\`);`);

    this.addSql(`create table \`ensemble_snapshot\` (\`id\` integer not null primary key autoincrement, \`ensemble_id\` text not null, \`version\` integer not null, \`state\` json not null, \`change_kind\` text not null, \`reason\` text not null, \`actor\` text not null, \`create_time\` datetime not null, constraint \`ensemble_snapshot_ensemble_id_foreign\` foreign key (\`ensemble_id\`) references \`ensemble\` (\`id\`) on delete cascade);`);
    this.addSql(`create index \`ensemble_snapshot_ensemble_id_index\` on \`ensemble_snapshot\` (\`ensemble_id\`);`);
    this.addSql(`create unique index \`ensemble_snapshot_ensemble_id_version_unique\` on \`ensemble_snapshot\` (\`ensemble_id\`, \`version\`);`);
  }

  override down(): void | Promise<void> {

    this.addSql(`drop table if exists \`ensemble\`;`);
    this.addSql(`drop table if exists \`ensemble_snapshot\`;`);
  }

}

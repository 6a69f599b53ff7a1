import { Migration } from '@mikro-orm/migrations';

export class Migration20261126163031 extends Migration {

  override name = 'Migration20261126163031';

  override up(): void | Promise<void> {
    this.addSql(`create table \`ensemble_training_group\` (\`id\` text not null primary key, \`ensemble\` text not null, \`replace_members\` integer not null, \`members\` json not null, \`state\` text not null, \`state_message\` text not null, \`result_version\` integer not null, \`creator\` text not null, \`create_time\` datetime not null, \`update_time\` datetime not null);`);
    this.addSql(`create index \`ensemble_training_group_ensemble_index\` on \`ensemble_training_group\` (\`ensemble\`);`);
    this.addSql(`create index \`ensemble_training_group_state_index\` on \`ensemble_training_group\` (\`state\`);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists \`ensemble_training_group\`;`);
  }

}

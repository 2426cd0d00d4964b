import { Command, InvalidArgumentError } from 'commander';
import { parseScopes } from './auth/api-key.ts';
import { keysCommands } from './cli/keys.ts';
import { migrateCommand } from './cli/migrate.ts';
import { simulateCommand } from './cli/simulate.ts';
import { VERSION } from './version.ts';

const program = new Command()
  .name('openwb-gateway')
  .description('Administer the openWB gateway. Reads the same environment (DATABASE_URL, ...) as the server.')
  .version(VERSION)
  .showHelpAfterError();

const keys = program.command('keys').description('manage API keys');
keys
  .command('create')
  .description('create an API key; the key is printed once, alone on the last line of stdout')
  .requiredOption('--name <name>', 'a name that tells the key apart, e.g. "phone"')
  .requiredOption('--scopes <scopes>', 'comma-separated: read, control, admin', (value) => {
    try {
      return parseScopes(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  })
  .option('--expires <when>', 'expiry as an ISO 8601 date-time or a duration such as 90d, 12h')
  .action(keysCommands.create);
keys.command('list').description('list API keys (never the keys themselves)').option('--json', 'print JSON').action(keysCommands.list);
keys.command('revoke').description('revoke a key by id or prefix').argument('<id-or-prefix>').action(keysCommands.revoke);

program.command('db').description('database').command('migrate').description('apply pending migrations').action(migrateCommand);

program
  .command('simulate')
  .description('run the openWB 2.x simulator against an MQTT broker')
  .requiredOption('--url <url>', 'broker URL, e.g. mqtt://127.0.0.1:1883')
  .option('--username <username>')
  .option('--password <password>')
  .option('--topic-prefix <prefix>', 'prepended to every openWB topic', '')
  .option('--interval <seconds>', 'control cycle in seconds', '10')
  .action(simulateCommand);

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
});

import { Command, InvalidArgumentError } from 'commander';
import { parseScopes } from './auth/api-key.ts';
import { keysCommands, parseChargepoints } from './cli/keys.ts';
import { migrateCommand } from './cli/migrate.ts';
import { importChargeLogCommand } from './cli/import-chargelog.ts';
import { simulateCommand } from './cli/simulate.ts';
import { tokensCommands, usersCommands } from './cli/users.ts';
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
  .requiredOption('--scopes <scopes>', 'comma-separated: read, control, admin, energsync (the EnergSync endpoints only)', (value) => {
    try {
      return parseScopes(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  })
  .option('--expires <when>', 'expiry as an ISO 8601 date-time or a duration such as 90d, 12h')
  .option('--chargepoints <ids>', 'comma-separated chargepoint ids the key is narrowed to (default: every chargepoint)', (value) => {
    try {
      return parseChargepoints(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  })
  .action(keysCommands.create);
keys.command('list').description('list API keys (never the keys themselves)').option('--json', 'print JSON').action(keysCommands.list);
keys.command('revoke').description('revoke a key by id or prefix').argument('<id-or-prefix>').action(keysCommands.revoke);

const users = program.command('users').description('manage users (they log in at POST /api/v1/auth/login)');
users
  .command('add')
  .description('create a user; without --password-stdin a password is generated and printed once, alone on the last line')
  .requiredOption('--name <name>', 'username (case-insensitive)')
  .requiredOption('--role <role>', 'admin or user', (value) => {
    if (value !== 'admin' && value !== 'user') throw new InvalidArgumentError('must be admin or user');
    return value;
  })
  .option('--password-stdin', 'read the password from stdin instead of generating one')
  .option('--chargepoints <ids>', 'comma-separated chargepoint ids a user may see and control')
  .action(usersCommands.add);
users.command('list').description('list users (never passwords)').option('--json', 'print JSON').action(usersCommands.list);
users
  .command('set-password')
  .description("replace a user's password (generated unless --password-stdin) and end all their sessions")
  .requiredOption('--name <name>', 'username')
  .option('--password-stdin', 'read the password from stdin instead of generating one')
  .action(usersCommands.setPassword);

program
  .command('tokens')
  .description('access tokens')
  .command('rotate-signing-key')
  .description('sign new access tokens with a new key; the old one keeps verifying until its tokens expire')
  .action(tokensCommands.rotateSigningKey);

program.command('db').description('database').command('migrate').description('apply pending migrations').action(migrateCommand);

program
  .command('import')
  .description('import data from openWB')
  .command('chargelog')
  .description(
    "backfill charging sessions from openWB 2.x's charge log (getChargeLog over MQTT); sessions the gateway already has are skipped",
  )
  .requiredOption('--year <year>', 'e.g. 2026')
  .requiredOption('--month <month>', '1-12')
  .option('--timeout <seconds>', 'how long to wait for openWB to answer', '15')
  .action(importChargeLogCommand);

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

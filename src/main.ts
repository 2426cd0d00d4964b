import { ConfigError, loadConfig } from './config.ts';
import { createLogger, startGateway } from './gateway.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(config, logger);
  logger.info({ url: gateway.url }, 'openwb-gateway listening');
  if (gateway.demoApiKey) {
    // Printed on stdout on purpose: demo mode hands the operator an admin key to try the API with.
    process.stdout.write(
      `\nDemo mode: openWB 2.x simulator on ${gateway.demoBrokerUrl}\n` +
        `Dashboard: ${gateway.url}/  (sign in as ${gateway.demoLogin?.username} / ${gateway.demoLogin?.password})\n` +
        `API docs:  ${gateway.url}/docs\n` +
        `API key: ${gateway.demoApiKey}\n` +
        `Try:      curl -H 'x-api-key: ${gateway.demoApiKey}' ${gateway.url}/api/v1/chargepoints\n\n`,
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

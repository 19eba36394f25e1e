export { ConfigError } from './inputs.ts';

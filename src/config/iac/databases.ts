import { randomBytes } from 'node:crypto';
import type { IacDatabase } from './graph.ts';

/**
 * How a database of the graph runs locally: the container's environment, the variables it gives
 * the services that reference it (as Railway's templates do), and how to tell it accepts
 * connections. The password is new for every run.
 */
export interface DatabaseRun {
  readonly name: string;
  readonly engine: string;
  readonly image: string;
  /** Reachable as on Railway's private network. */
  readonly host: string;
  readonly containerEnv: Readonly<Record<string, string>>;
  /** What `${{name.X}}` and `db.env.X` resolve to. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Compose healthcheck test: the database's own client asks the server itself. */
  readonly readiness: readonly string[];
  readonly password: string;
}

export const PRIVATE_DOMAIN_SUFFIX = '.railway.internal';

/** Railway's templates name their database `railway`. */
const DATABASE = 'railway';

interface Engine {
  readonly port: number;
  readonly user: string;
  containerEnv(password: string): Record<string, string>;
  outputs(host: string, password: string): Record<string, string>;
  readonly readiness: readonly string[];
}

const ENGINES: Readonly<Record<string, Engine>> = {
  postgres: {
    port: 5432,
    user: 'postgres',
    containerEnv: (password) => ({ POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: password, POSTGRES_DB: DATABASE, PGDATA: '/var/lib/postgresql/data/pgdata' }),
    outputs: (host, password) => ({
      PGHOST: host,
      PGPORT: '5432',
      PGUSER: 'postgres',
      PGPASSWORD: password,
      PGDATABASE: DATABASE,
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: password,
      POSTGRES_DB: DATABASE,
      PGDATA: '/var/lib/postgresql/data/pgdata',
      DATABASE_URL: `postgresql://postgres:${password}@${host}:5432/${DATABASE}`,
    }),
    // Over TCP: the official image's first-start server listens on a socket only, so it never passes for ready.
    readiness: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -p 5432 -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"'],
  },
  redis: {
    port: 6379,
    user: 'default',
    containerEnv: (password) => ({ REDIS_PASSWORD: password }),
    outputs: (host, password) => ({
      REDISHOST: host,
      REDISPORT: '6379',
      REDISUSER: 'default',
      REDISPASSWORD: password,
      REDIS_PASSWORD: password,
      REDIS_URL: `redis://default:${password}@${host}:6379`,
    }),
    readiness: ['CMD-SHELL', 'redis-cli -a "$$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
  },
  mysql: {
    port: 3306,
    user: 'root',
    containerEnv: (password) => ({ MYSQL_ROOT_PASSWORD: password, MYSQL_DATABASE: DATABASE }),
    outputs: (host, password) => ({
      MYSQLHOST: host,
      MYSQLPORT: '3306',
      MYSQLUSER: 'root',
      MYSQLPASSWORD: password,
      MYSQLDATABASE: DATABASE,
      MYSQL_ROOT_PASSWORD: password,
      MYSQL_DATABASE: DATABASE,
      MYSQL_URL: `mysql://root:${password}@${host}:3306/${DATABASE}`,
    }),
    readiness: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 -uroot -p"$$MYSQL_ROOT_PASSWORD" --silent'],
  },
  mongo: {
    port: 27017,
    user: 'mongo',
    containerEnv: (password) => ({ MONGO_INITDB_ROOT_USERNAME: 'mongo', MONGO_INITDB_ROOT_PASSWORD: password }),
    outputs: (host, password) => ({
      MONGOHOST: host,
      MONGOPORT: '27017',
      MONGOUSER: 'mongo',
      MONGOPASSWORD: password,
      MONGO_INITDB_ROOT_USERNAME: 'mongo',
      MONGO_INITDB_ROOT_PASSWORD: password,
      MONGO_URL: `mongodb://mongo:${password}@${host}:27017`,
    }),
    readiness: ['CMD-SHELL', "mongosh --quiet --eval 'db.runCommand({ ping: 1 }).ok' | grep -q 1"],
  },
};

export const KNOWN_ENGINES = Object.keys(ENGINES);

/** undefined for an engine deploy-check cannot start (the caller says so). */
export function databaseRun(db: IacDatabase, password = randomBytes(12).toString('hex')): DatabaseRun | undefined {
  const engine = ENGINES[db.engine];
  if (!engine || db.image === '') return undefined;
  const host = `${db.name}${PRIVATE_DOMAIN_SUFFIX}`;
  return {
    name: db.name,
    engine: db.engine,
    image: db.image,
    host,
    password,
    containerEnv: engine.containerEnv(password),
    outputs: engine.outputs(host, password),
    readiness: engine.readiness,
  };
}

import { CLOUD, HTTP } from './cloud.ts';
import { ELASTICSEARCH, MONGODB, MYSQL, POSTGRESQL, REDIS } from './databases.ts';
import { GENERIC } from './generic.ts';
import { KUBERNETES, PROMETHEUS_ALERTS } from './kubernetes.ts';
import { LINUX } from './linux.ts';
import { KAFKA, RABBITMQ } from './messaging.ts';
import { RESOLVERS_AND_CURL, TLS } from './network.ts';
import { ENVOY, HAPROXY, NGINX } from './proxies.ts';
import { DOTNET, GO, GRPC, JVM, NODE, PYTHON } from './runtimes.ts';
import { SECURITY } from './security.ts';
import { SHELLS } from './shells.ts';
import type { Vocabulary } from './term.ts';
import { WINDOWS } from './windows.ts';

export type { Term, Vocabulary } from './term.ts';

/** Every family of wording the detector knows; each file says where its wording comes from. */
export const VOCABULARIES: readonly Vocabulary[] = [
  GENERIC,
  LINUX,
  WINDOWS,
  SHELLS,
  JVM,
  PYTHON,
  NODE,
  GO,
  DOTNET,
  GRPC,
  POSTGRESQL,
  MYSQL,
  REDIS,
  MONGODB,
  ELASTICSEARCH,
  KAFKA,
  RABBITMQ,
  NGINX,
  ENVOY,
  HAPROXY,
  RESOLVERS_AND_CURL,
  TLS,
  KUBERNETES,
  PROMETHEUS_ALERTS,
  CLOUD,
  HTTP,
  SECURITY,
];

export {
  CLOUD,
  DOTNET,
  ELASTICSEARCH,
  ENVOY,
  GENERIC,
  GO,
  GRPC,
  HAPROXY,
  HTTP,
  JVM,
  KAFKA,
  KUBERNETES,
  LINUX,
  MONGODB,
  MYSQL,
  NGINX,
  NODE,
  POSTGRESQL,
  PROMETHEUS_ALERTS,
  PYTHON,
  RABBITMQ,
  REDIS,
  RESOLVERS_AND_CURL,
  SECURITY,
  SHELLS,
  TLS,
  WINDOWS,
};

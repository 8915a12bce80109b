import { terms, type Vocabulary } from './term.ts';

/**
 * Apache Kafka clients and brokers (the Java client's NetworkClient and consumer coordinator log
 * lines, the exception classes of org.apache.kafka.common.errors, and librdkafka's broker state
 * messages): "Connection to node … could not be established. Broker may not be available.",
 * "Bootstrap broker … disconnected", LEADER_NOT_AVAILABLE / NOT_LEADER_OR_FOLLOWER, "Topic … not
 * present in metadata after N ms", "N/N brokers are down", NotEnoughReplicasException, the
 * *AuthorizationException family, SaslAuthenticationException, and the consumer's "poll timeout has
 * expired" (max.poll.interval.ms: processing is too slow).
 */
export const KAFKA: Vocabulary = {
  family: 'Apache Kafka (Java client, brokers, librdkafka)',
  terms: [
    ...terms('dependency_failure', [
      /\bBroker may not be available\b/i,
      /\bBootstrap broker \S+ \([^)]*\) disconnected\b/,
      /\bLEADER_NOT_AVAILABLE\b|\bNOT_LEADER_OR_FOLLOWER\b|\bNotLeaderOrFollowerException\b/,
      /\bTopic \S+ not present in metadata after \d+ ms\b/,
      /\b(\d+\/\d+|all) brokers are down\b/i,
      /\bExpiring \d+ record\(s\) for\b/,
    ]),
    ...terms('data_integrity', [
      /\bNotEnoughReplicas(AfterAppend)?Exception\b|\bNOT_ENOUGH_REPLICAS\b/,
      /\bfewer in-sync replicas than required\b/i,
    ]),
    ...terms('authorization_failure', [
      /\b(Topic|Group|Cluster|TransactionalId)AuthorizationException\b/,
      /\bNot authorized to access (topics|group)\b/i,
    ]),
    ...terms('auth_failure', [/\bSaslAuthenticationException\b/]),
    ...terms('latency', [/\bpoll timeout has expired\b|\bmax\.poll\.interval\.ms\b/]),
    ...terms('config_error', [
      /\bConfigException: (Invalid value|Missing required configuration)\b/,
    ]),
  ],
};

/**
 * RabbitMQ broker logs and AMQP client errors (the RabbitMQ documentation on access control,
 * memory and disk alarms, and network partitions): "ACCESS_REFUSED - Login was refused", "access to
 * vhost '/' refused for user", "memory resource limit alarm set on node" (publishers are blocked at
 * the high watermark), "disk resource limit alarm set", CONNECTION_FORCED, "Partial partition
 * detected", Mnesia's inconsistent_database; client-side pika/amqp "AMQPConnectionError".
 */
export const RABBITMQ: Vocabulary = {
  family: 'RabbitMQ',
  terms: [
    ...terms('auth_failure', [/\bACCESS_REFUSED - Login was refused\b/, /\bPLAIN login refused\b/]),
    ...terms('authorization_failure', [
      /\baccess to (vhost|queue|exchange) [^\n]{0,100}\brefused for user\b/i,
    ]),
    ...terms('disk_full', [/\bdisk resource limit alarm set\b/i]),
    ...terms('throttling', [/\bmemory resource limit alarm set\b/i, /\bconnection\.blocked\b/]),
    ...terms('dependency_failure', [/\bAMQPConnectionError\b/, /\bCONNECTION_FORCED\b/]),
    ...terms('data_integrity', [
      /\bpartial partition detected\b/i,
      /\binconsistent_database\b|\brunning_partitioned_network\b/,
    ]),
  ],
};

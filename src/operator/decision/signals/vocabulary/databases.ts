import { terms, type Vocabulary } from './term.ts';

/**
 * PostgreSQL, server and libpq client. Server wording follows the error codes appendix of the
 * PostgreSQL manual (Class 53 "insufficient resources": "sorry, too many clients already",
 * "remaining connection slots are reserved", "out of shared memory"; Class 57 "operator
 * intervention": "the database system is starting up / in recovery mode", "canceling statement due
 * to statement timeout"; Class 42501 "permission denied for table"; Class XX "data corrupted":
 * "invalid page in block", "page verification failed"), the log lines of log_min_duration_statement
 * ("duration: 5123.456 ms  statement: …") and log_lock_waits ("still waiting for ShareLock … after
 * 1000.123 ms"), Class 22003 "integer out of range" and "nextval: reached maximum value of sequence"
 * (a table's id space used up), transaction-wraparound warnings ("must be vacuumed within N transactions"), and
 * the configuration reload messages ("received SIGHUP, reloading configuration files", "parameter
 * \"x\" changed to", "configuration file … contains errors"). Client wording is libpq's
 * ("connection to server at \"…\" (…), port 5432 failed", "could not connect to server").
 */
export const POSTGRESQL: Vocabulary = {
  family: 'PostgreSQL',
  terms: [
    ...terms('dependency_failure', [
      /\bconnection to server (at|on socket) [^\n]{0,120}\bfailed\b/i,
      /\bthe database system is (starting up|shutting down|in recovery mode|not yet accepting connections)\b/i,
    ]),
    ...terms('resource_exhaustion', [
      /\bsorry, too many clients already\b/i,
      /\bremaining connection slots are reserved\b/i,
      /\btoo many connections for (role|database)\b/i,
      /\bout of shared memory\b/i,
    ]),
    ...terms('data_integrity', [
      /\brequested WAL segment \S+ has already been removed\b/i,
      /\bpage verification failed\b/i,
      /\binvalid page in block\b/i,
      /\bunexpected zero page at block\b/i,
      /\bcould not read block \d+ in file\b/i,
      /\bcould not receive data from WAL stream\b/i,
      /\bdatabase is not accepting commands to avoid wraparound data loss\b/i,
      /\bmust be vacuumed within \d+ transactions\b/i,
      // Class 22003 numeric_value_out_of_range on a key, and sequences at their end: the id space
      // of a table is used up and every insert fails until the schema changes.
      /\b(small|big)?int(eger)? out of range\b/i,
      /\bnextval: reached maximum value of sequence\b/i,
    ]),
    {
      signal: 'latency',
      pattern: /\bduration: (?<value>\d+(\.\d+)?) ms\b/,
      slowerThanMs: 1000,
    },
    {
      signal: 'latency',
      pattern: /\bstill waiting for \w+Lock on [^\n]{0,100}\bafter (?<value>\d+(\.\d+)?) ms\b/,
      slowerThanMs: 1000,
    },
    ...terms('latency', [/\bcanceling statement due to (statement|lock) timeout\b/i]),
    ...terms('auth_failure', [
      /\bno pg_hba\.conf entry for host\b/i,
      /\brole "[^"]+" does not exist\b/,
    ]),
    ...terms('authorization_failure', [
      /\bpermission denied for (table|relation|schema|database|sequence|function|view)\b/i,
      /\bmust be owner of\b/i,
    ]),
    ...terms('application_errors', [
      /\bunknown column\b|\bcolumn \S+ does not exist\b|\bschema mismatch\b/i,
      /\brelation "[^"]+" does not exist\b/,
      /\bmigration (failed|error)\b/i,
    ]),
    ...terms('config_error', [
      /\bconfiguration file "[^"]+" contains errors\b/,
      /\bsyntax error in file "[^"]+" line \d+/,
      /\binvalid value for parameter "[^"]+"/,
      /\bunrecognized configuration parameter "[^"]+"/,
    ]),
    ...terms('change_in_logs', [
      /\breceived SIGHUP, reloading configuration files\b/,
      /\bparameter "[^"]+" changed to "/,
    ]),
  ],
};

/**
 * MySQL and MariaDB, server and clients, from the MySQL Server and Client Error Message Reference:
 * 1040 "Too many connections", 1045 "Access denied for user", 1142 "command denied to user", 1205
 * "Lock wait timeout exceeded", 1114 "The table is full", 1264 "Out of range value for column", 1467
 * "Failed to read auto-increment value from storage engine", 2002/2003 "Can't connect to MySQL server",
 * 2006 "MySQL server has gone away", 2013 "Lost connection to MySQL server"; replication errors of
 * the replica threads ("Replica SQL thread aborted", "Got fatal error 1236 from source"), InnoDB's
 * "Database page corruption on disk", "Disk is full writing", InnoDB's assertion failures and its
 * semaphore watchdog ("We intentionally crash the server because it appears to be hung"), the
 * slow query log's "# Query_time:",
 * and mysqld's own "unknown variable" at start. The server's routine warning that a client IP
 * "could not be resolved" (reverse DNS) is not a resolver failure of the service.
 */
export const MYSQL: Vocabulary = {
  family: 'MySQL and MariaDB',
  terms: [
    ...terms('dependency_failure', [
      /\bLost connection to MySQL server\b/i,
      /\bMySQL server has gone away\b/i,
    ]),
    ...terms('resource_exhaustion', [/\bToo many connections\b/]),
    ...terms('auth_failure', [/\baccess denied for user\b/i]),
    ...terms('authorization_failure', [
      /\bcommand denied to user\b/i,
      /\bAccess denied; you need (at least one of )?the \S+ privilege/i,
    ]),
    ...terms('disk_full', [
      /\bGot error 28 from storage engine\b/i,
      /\bThe table '[^']+' is full\b/,
      /\bDisk is full writing\b/i,
    ]),
    ...terms('data_integrity', [
      // 1264 ER_WARN_DATA_OUT_OF_RANGE and 1467 ER_AUTOINC_READ_FAILED: a key column is full.
      /\bOut of range value for column '[^']+'/,
      /\bFailed to read auto-increment value from storage engine\b/,
      /\b(replica|slave) (sql|io) thread (aborted|stopped|exiting)\b/i,
      /\bGot fatal error 1236 from (master|source)\b/i,
      /\bDatabase page corruption on disk\b/i,
      /\bLast_(SQL|IO)_Error: \S/,
      /\b(Replica|Slave) I\/O thread: error connecting to (master|source)\b/i,
    ]),
    {
      signal: 'data_integrity',
      pattern: /\bSeconds_Behind_(Master|Source): (?<value>\d+)\b/,
      atLeast: 300,
    },
    {
      signal: 'latency',
      pattern: /# Query_time: (?<value>\d+(\.\d+)?)\b/,
      unit: 's',
      slowerThanMs: 1000,
    },
    ...terms('latency', [/\bLock wait timeout exceeded\b/i]),
    ...terms('process_crashed', [
      // 5.x prints "InnoDB: Assertion failure", 8.0 "[InnoDB] Assertion failure".
      /\bInnoDB(: |\] )Assertion failure\b|\bmysqld got signal \d+\b/,
      // InnoDB's own watchdog: it kills the server when a semaphore wait passes 600 s.
      /\bWe intentionally crash the server because it appears to be hung\b/,
    ]),
    ...terms('config_error', [
      /\bunknown variable '[^']+'/,
      /\bFound option without preceding group in config file\b/i,
    ]),
  ],
};

/**
 * Redis server replies and logs (the Redis documentation of error replies and of maxmemory,
 * persistence and replication): "ERR max number of clients reached", "OOM command not allowed when
 * used memory > 'maxmemory'" (a configured cap, not an exhausted host: a restart empties the
 * dataset), "MISCONF … unable to persist to disk", "LOADING Redis is loading the dataset in memory",
 * "CLUSTERDOWN", "MASTERDOWN", "NOAUTH Authentication required", "WRONGPASS", "NOPERM",
 * "Unable to connect to MASTER", "*** FATAL CONFIG FILE ERROR", "Bad directive or wrong number of
 * arguments".
 */
export const REDIS: Vocabulary = {
  family: 'Redis',
  terms: [
    ...terms('resource_exhaustion', [/\bmax number of clients reached\b/i]),
    ...terms('throttling', [/\bOOM command not allowed when used memory > 'maxmemory'/i]),
    ...terms('storage_failure', [/\bMISCONF Redis is configured to save RDB snapshots\b/]),
    ...terms('dependency_failure', [
      /\bLOADING Redis is loading the dataset\b/,
      /\bCLUSTERDOWN\b/,
      /\bMASTERDOWN\b/,
      /\bCould not connect to Redis\b/i,
    ]),
    ...terms('data_integrity', [
      /\bUnable to connect to MASTER\b/,
      /\bConnection with master lost\b/,
    ]),
    ...terms('auth_failure', [/\bNOAUTH Authentication required\b/, /\bWRONGPASS\b/]),
    ...terms('authorization_failure', [/\bNOPERM\b/]),
    ...terms('config_error', [
      /\*\*\* FATAL CONFIG FILE ERROR\b/,
      /\bBad directive or wrong number of arguments\b/,
    ]),
  ],
};

/**
 * MongoDB drivers and server, from the driver error classes (MongoNetworkError,
 * MongoServerSelectionError, "Server selection timed out after N ms"), the server's authorization
 * error ("not authorized on db to execute command") and its structured "Slow query" log entries
 * with durationMillis.
 */
export const MONGODB: Vocabulary = {
  family: 'MongoDB',
  terms: [
    ...terms('dependency_failure', [
      /\bMongo(NetworkError|ServerSelectionError|TimeoutError)\b/,
      /\bServer selection timed out after \d+ ms\b/i,
    ]),
    ...terms('authorization_failure', [/\bnot authorized on \S+ to execute command\b/i]),
    {
      signal: 'latency',
      pattern: /"durationMillis":(?<value>\d+)/,
      unless: /"msg":"(?!Slow query)/,
      slowerThanMs: 1000,
    },
  ],
};

/**
 * Elasticsearch and OpenSearch, from their "fix common cluster issues" guides and exception
 * names: red cluster health and unassigned primaries, disk watermarks ("flood stage disk watermark
 * [95%] exceeded", the read-only-allow-delete block), circuit breakers ("[parent] Data too large"),
 * thread-pool rejections (EsRejectedExecutionException), "no master", NoNodeAvailableException,
 * security_exception ("is unauthorized for user", "missing authentication credentials"), GC
 * overhead warnings ("[gc][…] overhead, spent [5.2s] collecting") and the search/indexing slow logs.
 */
export const ELASTICSEARCH: Vocabulary = {
  family: 'Elasticsearch and OpenSearch',
  terms: [
    ...terms('data_integrity', [
      /\bcluster health status changed from \[\w+\] to \[RED\]/i,
      /\bunassigned primary shards?\b|\bprimary shard is not active\b/i,
    ]),
    ...terms('disk_full', [
      /\b(flood stage|high) disk watermark \[[^\]]+\] exceeded\b/i,
      /\bread-only[ -]allow[ -]delete\b|\bFORBIDDEN\/12\/index read-only\b/i,
    ]),
    ...terms('out_of_memory', [
      /\bCircuitBreakingException\b|\bcircuit_breaking_exception\b|\bData too large, data for\b/,
      /\[gc\][^\n]{0,40}\boverhead, spent \[/,
    ]),
    ...terms('resource_exhaustion', [
      /\bEsRejectedExecutionException\b|\bes_rejected_execution_exception\b|\brejected execution of\b/,
    ]),
    ...terms('dependency_failure', [
      /\bNoNodeAvailableException\b|\bNone of the configured nodes are available\b/,
      /\bmaster_not_discovered_exception\b|\bmaster not discovered\b|\bnot enough master nodes\b/i,
    ]),
    ...terms('authorization_failure', [/\bis unauthorized for (user|api key)\b/i]),
    ...terms('auth_failure', [
      /\bmissing authentication credentials for REST request\b/i,
      /\bunable to authenticate user\b/i,
    ]),
    ...terms('latency', [/\b(search|index(ing)?)\.slowlog\b/i]),
  ],
};

import { terms, type Vocabulary } from './term.ts';

/**
 * The JVM and the libraries most Java services run on. Exception names are the JDK's
 * (java.lang.OutOfMemoryError with its detail messages "Java heap space", "GC overhead limit
 * exceeded", "Metaspace", "unable to create native thread"; java.net.ConnectException,
 * SocketTimeoutException, UnknownHostException, NoRouteToHostException); TLS failures are JSSE's
 * (SSLHandshakeException, "PKIX path building failed", CertificateExpiredException); the rest is
 * HikariCP's "Connection is not available, request timed out", Tomcat JDBC's PoolExhaustedException
 * ("Pool empty. Unable to fetch a connection") and Commons DBCP's "pool error Timeout waiting for
 * idle object", MySQL Connector/J's
 * "Communications link failure", Tomcat's StuckThreadDetectionValve ("may be stuck"), the HotSpot
 * crash banner ("A fatal error has been detected by the Java Runtime Environment") and Spring
 * Boot's failure analysers ("APPLICATION FAILED TO START", "Could not resolve placeholder").
 */
export const JVM: Vocabulary = {
  family: 'JVM (Java, Kotlin, Scala) and its common libraries',
  terms: [
    ...terms('out_of_memory', [
      /\bOutOfMemoryError\b/,
      /\bGC overhead limit\b/i,
      /\bheap (space|exhausted|out of)\b/i,
    ]),
    ...terms('resource_exhaustion', [
      /\bunable to create (new )?native thread\b/i,
      /\bConnection is not available, request timed out\b|\btimeout acquiring a connection\b/i,
      // Tomcat JDBC and Commons DBCP: every pooled connection is checked out.
      /\bPoolExhaustedException\b|\bTimeout: Pool empty\. Unable to fetch a connection\b/,
      /\bCannot get a connection, pool error Timeout waiting for idle object\b/,
      /\bRejectedExecutionException\b/,
      /\bMaximum number of threads \(\d+\) created for connector\b/,
    ]),
    ...terms('dependency_failure', [
      /\bjava\.net\.(ConnectException|NoRouteToHostException)\b/,
      /\bSocketException: Connection reset\b/,
      /\bSocketTimeoutException: (connect|Read) timed out\b/i,
      /\bCommunications link failure\b/,
      /\b(JDBCConnectionException|CannotGetJdbcConnectionException|CannotCreateTransactionException)\b|\bUnable to acquire JDBC Connection\b/,
      /\bCallNotPermittedException\b/,
    ]),
    ...terms('dns_failure', [/\bUnknownHostException\b/]),
    ...terms('tls_failure', [
      /\bPKIX path (building|validation) failed\b/i,
      /\bSSLHandshakeException\b/,
      /\bCertificateExpiredException\b|\bCertificateNotYetValidException\b/,
      /\bNo subject alternative (DNS )?names? matching\b/,
    ]),
    ...terms('hung_process', [
      /\bjava-level deadlock\b|\bdeadlocked threads?\b|\bthreads? (are )?deadlocked\b/i,
      /\bmay be stuck\b|\bstuck thread\b/i,
    ]),
    ...terms('application_errors', [
      /\b(NullPointerException|ClassNotFoundException|NoSuchMethodError|NoClassDefFoundError|IllegalStateException|ClassCastException|StackOverflowError|UnsatisfiedDependencyException|BeanCreationException)\b/,
    ]),
    ...terms('process_crashed', [
      /\bA fatal error has been detected by the Java Runtime Environment\b/,
      /\bhs_err_pid\d+\.log\b/,
    ]),
    ...terms('config_error', [
      /\bCould not resolve placeholder '[^']+'/,
      /\bFailed to bind properties under '[^']*'/,
      /\bFailed to configure a DataSource\b/,
      /\bConfigurationPropertiesBindException\b|\bInvalidConfigurationPropertyValueException\b/,
    ]),
  ],
};

/**
 * CPython and the Python libraries services use. Resolver errors are socket.gaierror as CPython
 * raises it from getaddrinfo ("[Errno -2] Name or service not known", "[Errno -3] Temporary
 * failure in name resolution", "[Errno -5] No address associated with hostname"); connection
 * errors are the builtin ConnectionRefusedError/ConnectionResetError and requests/urllib3's
 * ("Max retries exceeded with url", "Failed to establish a new connection", "NameResolutionError");
 * psycopg2/libpq's "server closed the connection unexpectedly"; redis-py's "Error 111 connecting
 * to"; SQLAlchemy's "QueuePool limit of size N overflow M reached"; gunicorn's "WORKER TIMEOUT" and
 * "was sent SIGKILL! Perhaps out of memory?"; uWSGI's "HARAKIRI"; Django's ImproperlyConfigured.
 */
export const PYTHON: Vocabulary = {
  family: 'Python (CPython, requests/urllib3, SQLAlchemy, gunicorn, uWSGI, Django)',
  terms: [
    ...terms('dns_failure', [
      /\bsocket\.gaierror\b|\bgaierror: \[Errno -?\d+\]/,
      /\[Errno -(2|3|5)\]/,
      /\bNameResolutionError\b|\bFailed to resolve '[^']+'/,
      /\bnodename nor servname provided\b/i,
    ]),
    ...terms('dependency_failure', [
      /\b(ConnectionRefusedError|ConnectionResetError|ConnectionAbortedError)\b/,
      /\bMax retries exceeded with url\b/,
      /\bFailed to establish a new connection\b/,
      /\brequests\.exceptions\.(ConnectionError|ConnectTimeout|ReadTimeout)\b/,
      /\bRemoteDisconnected\b|\bRemote end closed connection without response\b/,
      /\bserver closed the connection unexpectedly\b/,
      /\bError \d+ connecting to \S+/,
    ]),
    ...terms('out_of_memory', [/\bMemoryError\b/, /\bwas sent SIGKILL! Perhaps out of memory\?/]),
    ...terms('hung_process', [/\bWORKER TIMEOUT\b/, /\bHARAKIRI\b/]),
    ...terms('resource_exhaustion', [/\bQueuePool limit of size \d+ overflow \d+ reached\b/]),
    ...terms('application_errors', [
      /\b(TypeError|ReferenceError|ModuleNotFoundError|ImportError|AttributeError|KeyError|RecursionError|ZeroDivisionError|NameError)\b/,
      /\bTraceback \(most recent call last\)/,
    ]),
    ...terms('config_error', [
      /\bImproperlyConfigured\b/,
      /\bconfigparser\.(ParsingError|NoSectionError|NoOptionError|MissingSectionHeaderError)\b/,
    ]),
  ],
};

/**
 * Node.js. System errors are libuv's codes as Node reports them ("connect ECONNREFUSED",
 * "getaddrinfo ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"; the Node.js "Errors" docs,
 * "Common system errors"); V8's heap exhaustion is "FATAL ERROR: Reached heap limit Allocation
 * failed - JavaScript heap out of memory"; TLS codes are OpenSSL's as Node names them
 * (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT,
 * ERR_TLS_CERT_ALTNAME_INVALID); module errors are the loader's ("Cannot find module",
 * ERR_MODULE_NOT_FOUND, ERR_REQUIRE_ESM).
 */
export const NODE: Vocabulary = {
  family: 'Node.js',
  terms: [
    ...terms('dns_failure', [/\bENOTFOUND\b/, /\bEAI_AGAIN\b/]),
    ...terms('dependency_failure', [
      /\bconnect (ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b/,
    ]),
    ...terms('out_of_memory', [/\bJavaScript heap out of memory\b|\breached heap limit\b/i]),
    ...terms('tls_failure', [
      /\bCERT_HAS_EXPIRED\b|\bUNABLE_TO_VERIFY_LEAF_SIGNATURE\b|\bDEPTH_ZERO_SELF_SIGNED_CERT\b|\bSELF_SIGNED_CERT_IN_CHAIN\b|\bERR_TLS_CERT_ALTNAME_INVALID\b/,
    ]),
    ...terms('application_errors', [
      /\bundefined is not a function\b|\bcannot read propert(y|ies) of (undefined|null)\b/i,
      /\bcannot find module\b/i,
      /\bERR_MODULE_NOT_FOUND\b|\bERR_REQUIRE_ESM\b|\bUnhandledPromiseRejection\b/,
    ]),
    ...terms('hung_process', [/\bevent loop (blocked|lag)\b/i]),
  ],
};

/**
 * Go programs. Network errors are the net package's ("dial tcp 10.0.0.5:5432: connect: connection
 * refused", "dial tcp …: i/o timeout"); resolver errors are net.DNSError's ("lookup x on
 * 10.96.0.10:53: no such host", "server misbehaving"); crashes are the runtime's ("panic:",
 * "fatal error: runtime: out of memory", "concurrent map writes", "invalid memory address or nil
 * pointer dereference"); certificate errors are crypto/x509's and crypto/tls's ("x509: certificate
 * has expired or is not yet valid", "x509: certificate signed by unknown authority", "tls: failed to
 * verify certificate", "remote error: tls: bad certificate").
 */
export const GO: Vocabulary = {
  family: 'Go',
  terms: [
    ...terms('dependency_failure', [/\bdial tcp\b[^\n]{0,80}\bi\/o timeout\b/]),
    ...terms('dns_failure', [
      /\bno such host\b/i,
      /\bserver misbehaving\b/,
      /\blookup \S+ on \S+:53\b/,
    ]),
    ...terms('application_errors', [
      /\bpanic:/,
      /\binvalid memory address or nil pointer dereference\b/,
      /\bfatal error: concurrent map (writes|read and map write|iteration and map write)\b/,
    ]),
    ...terms('tls_failure', [
      /\bx509: certificate\b/i,
      /\btls: failed to verify certificate\b/,
      /\bremote error: tls: (bad certificate|unknown certificate authority|certificate expired|handshake failure|certificate required)\b/,
    ]),
  ],
};

/**
 * .NET. Socket errors are the Windows Sockets messages .NET surfaces in SocketException (10061 "No
 * connection could be made because the target machine actively refused it", 10060 "A connection
 * attempt failed because the connected party did not properly respond", 10054 "An existing
 * connection was forcibly closed by the remote host", 11001 "No such host is known"); SqlClient's
 * "A network-related or instance-specific error", "Login failed for user", "Timeout expired. The
 * timeout period elapsed prior to obtaining a connection from the pool", "Execution Timeout
 * Expired"; HttpClient's "The request was canceled due to the configured HttpClient.Timeout";
 * SslStream's "The remote certificate is invalid"; Polly's BrokenCircuitException; the runtime's
 * OutOfMemoryException, NullReferenceException and UnauthorizedAccessException; Windows' disk-full
 * message "There is not enough space on the disk".
 */
export const DOTNET: Vocabulary = {
  family: '.NET',
  terms: [
    ...terms('dependency_failure', [
      /\bNo connection could be made because the target machine actively refused it\b/i,
      /\bthe connected party did not properly respond after a period of time\b/i,
      /\bAn existing connection was forcibly closed by the remote host\b/i,
      /\bA network-related or instance-specific error occurred while establishing a connection\b/i,
      /\bThe request was canceled due to the configured HttpClient\.Timeout\b/,
      /\bBrokenCircuitException\b|\bThe circuit is now open\b/,
    ]),
    ...terms('dns_failure', [
      /\bNo such host is known\b/i,
      /\btemporary error during hostname resolution\b/i,
    ]),
    ...terms('resource_exhaustion', [
      /\bThe timeout period elapsed prior to obtaining a connection from the pool\b/,
      /\bmax pool size was reached\b/i,
    ]),
    ...terms('latency', [/\bExecution Timeout Expired\b/]),
    ...terms('out_of_memory', [
      /\bOutOfMemoryException\b|\bInsufficient memory to continue the execution\b/,
    ]),
    ...terms('application_errors', [
      /\b(NullReferenceException|InvalidOperationException|InvalidCastException|ObjectDisposedException)\b/,
      /\bObject reference not set to an instance of an object\b/,
    ]),
    ...terms('tls_failure', [
      /\bThe remote certificate is invalid\b|\bRemoteCertificate(NameMismatch|ChainErrors|NotAvailable)\b/,
      /\bThe SSL connection could not be established\b/,
      /\bThe certificate chain was issued by an authority that is not trusted\b/,
    ]),
    ...terms('authorization_failure', [/\bUnauthorizedAccessException\b/]),
    ...terms('disk_full', [/\bThere is not enough space on the disk\b/i]),
    ...terms('config_error', [/\bOptionsValidationException\b/]),
  ],
};

/**
 * gRPC status codes (the gRPC core "Status codes and their use" document), printed by every gRPC
 * library as "rpc error: code = Unavailable desc = …" (Go) or "UNAVAILABLE: …" (Java, Python, C++).
 * Google Cloud APIs answer with the same canonical codes ("PERMISSION_DENIED",
 * "RESOURCE_EXHAUSTED: Quota exceeded").
 */
export const GRPC: Vocabulary = {
  family: 'gRPC status codes (and Google APIs, which share them)',
  terms: [
    ...terms('dependency_failure', [
      /\bcode = (Unavailable|DeadlineExceeded)\b/,
      /\b(StatusRuntimeException|RpcError|StatusCode\.)[^\n]{0,20}\b(UNAVAILABLE|DEADLINE_EXCEEDED)\b/,
      /\bUNAVAILABLE: (io exception|upstream|connection|failed to connect|DNS resolution failed)/i,
    ]),
    ...terms('authorization_failure', [/\bcode = PermissionDenied\b/, /\bPERMISSION_DENIED\b/]),
    ...terms('auth_failure', [/\bcode = Unauthenticated\b/, /\bUNAUTHENTICATED\b/]),
    ...terms('throttling', [/\bcode = ResourceExhausted\b/, /\bRESOURCE_EXHAUSTED\b/]),
  ],
};

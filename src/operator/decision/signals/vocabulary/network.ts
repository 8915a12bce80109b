import { terms, type Vocabulary } from './term.ts';

/**
 * Resolvers and curl. Resolver wording is getaddrinfo's gai_strerror() in glibc ("Name or service
 * not known", "Temporary failure in name resolution", "No address associated with hostname"),
 * the DNS RCODEs of RFC 1035 as dig and nslookup print them (NXDOMAIN, SERVFAIL, "** server can't
 * find", ";; connection timed out; no servers could be reached"), CoreDNS's errors plugin
 * ("[ERROR] plugin/errors: 2 … A: read udp …: i/o timeout") and systemd-resolved's. curl's are the
 * libcurl error strings (CURLE_COULDNT_RESOLVE_HOST "Could not resolve host", CURLE_COULDNT_CONNECT
 * "Failed to connect to … port …", CURLE_OPERATION_TIMEDOUT "Operation timed out after",
 * CURLE_GOT_NOTHING "Empty reply from server", CURLE_RECV_ERROR "Recv failure").
 */
export const RESOLVERS_AND_CURL: Vocabulary = {
  family: 'resolvers (glibc, dig, nslookup, CoreDNS, systemd-resolved) and curl',
  terms: [
    ...terms('dns_failure', [
      /\bname or service not known\b/i,
      /\btemporary failure in name resolution\b/i,
      /\bno address associated with hostname\b/i,
      /\bNXDOMAIN\b/,
      /\bSERVFAIL\b/,
      /\bserver can't find \S+/i,
      /\bno servers could be reached\b/i,
      /\bplugin\/errors: \d+ \S+ \w+: /,
      /\bdns (lookup|resolution|query) (failed|error|timed out)\b/i,
      /\bCould not resolve (host|proxy)\b/i,
      /\bDNSSEC validation failed\b/,
      /\bunknown host\b/i,
    ]),
    ...terms('dependency_failure', [
      /\bcurl: \((7|28|52|56)\)/,
      /\bOperation timed out after \d+ milliseconds\b/,
      /\bEmpty reply from server\b/,
      /\bRecv failure: /,
    ]),
    ...terms('tls_failure', [/\bcurl: \((35|60)\)/, /\bSSL certificate problem\b/i]),
  ],
};

/**
 * TLS libraries: OpenSSL/BoringSSL verify results and alerts (X509_V_ERR_CERT_HAS_EXPIRED
 * "certificate has expired", "unable to get local issuer certificate", "self signed certificate in
 * certificate chain", "certificate verify failed", "sslv3 alert handshake failure", "tlsv1 alert
 * unknown ca", "wrong version number", "no shared cipher"), Python's ssl module
 * ("SSLCertVerificationError", "CERTIFICATE_VERIFY_FAILED", "hostname 'x' doesn't match"), and
 * expiry warnings as monitoring and certificate tooling word them ("certificate … expires in 6
 * days").
 */
export const TLS: Vocabulary = {
  family: 'TLS libraries (OpenSSL, BoringSSL, Python ssl) and certificate monitors',
  terms: [
    ...terms('tls_failure', [
      /\bcertificate (has )?expired\b/i,
      /\b(ssl|tls)[ _]?handshake (failed|failure|error)\b/i,
      /\bcertificate verify failed\b/i,
      /\bunable to verify the first certificate\b/i,
      /\bunable to get local issuer certificate\b/i,
      /\bself[- ]signed certificate in certificate chain\b/i,
      /\b(sslv3|tlsv1) alert (handshake failure|bad certificate|certificate expired|unknown ca|certificate unknown)\b/i,
      /\bssl3_get_record:wrong version number\b|\bSSL routines[^\n]{0,40}wrong version number\b/i,
      /\bno shared cipher\b/i,
      /\bSSLCertVerificationError\b|\bssl\.SSLError\b/,
      /\bhostname '[^']+' doesn't match\b/,
    ]),
    {
      signal: 'tls_failure',
      pattern: /\bcertificate\b[^\n]{0,80}\b(will )?expires? in (?<value>\d+) days?\b/i,
      atMost: 14,
    },
  ],
};

import { terms, type Vocabulary } from './term.ts';

/**
 * Attacks and compromise. Login failures are OpenSSH sshd's and PAM's ("Failed password for
 * invalid user", "Invalid user … from", "authentication failure; … rhost=", "Too many
 * authentication failures", "maximum authentication attempts exceeded", "POSSIBLE BREAK-IN
 * ATTEMPT!") and Windows Security event 4625 ("An account failed to log on"); one is a typo, many
 * are brute force, so they are counted. fail2ban's "Ban <ip>"; Falco's default rule outputs
 * ("A shell was spawned in a container with an attached terminal", "Outbound connection to C2
 * server", crypto-miner and reverse-shell rules); AWS GuardDuty finding types
 * ("UnauthorizedAccess:EC2/SSHBruteForce", "CryptoCurrency:EC2/BitcoinTool", "Backdoor:EC2/…");
 * ModSecurity's Core Rule Set messages ("SQL Injection Attack Detected"); the request strings of
 * well-known exploits (Log4Shell "${jndi:", Shellshock "() { :; };", path traversal to
 * /etc/passwd); the process environment piped or posted to a remote host (the shape of the
 * 2021 Codecov Bash Uploader compromise and of many CI supply-chain attacks); miner binaries and pools named in public threat reports (xmrig, kinsing,
 * kdevtmpfsi, stratum+tcp); auditd/useradd records of a second uid-0 account; Windows event 1102
 * "The audit log was cleared".
 */
export const SECURITY: Vocabulary = {
  family: 'security: sshd/PAM, fail2ban, Falco, GuardDuty, ModSecurity, auditd, exploit strings',
  terms: [
    ...terms('suspicious_activity', [
      /\b(xmrig|cryptominer|coinhive|minerd|kinsing|kdevtmpfsi)\b/i,
      /\bstratum\+tcp\b|\b(supportxmr|nanopool|minexmr|moneroocean|nicehash)\b/i,
      /\breverse shell\b/i,
      /\bfailed password for (invalid user|root)\b/i,
      /\binvalid user \S+ from \d/i,
      /\bbrute[- ]?force\b/i,
      /\bToo many authentication failures\b|\bmaximum authentication attempts exceeded\b/i,
      /\bPOSSIBLE BREAK-IN ATTEMPT\b/,
      /\bunexpected outbound connection\b/i,
      /\bsuspicious (process|binary|activity|login|file)\b/i,
      /\bprivilege escalation\b/i,
      /\b(unauthori[sz]ed|unknown) (ssh )?key (was )?added\b/i,
      /\bport scan\b/i,
      /\bknown malicious\b/i,
      /\brootkit\b/i,
      /\b(nc|ncat|netcat) -e\b/i,
      /\b(curl|wget) [^|\n]{0,200}\|\s*(ba)?sh\b/i,
      // The process environment (where CI and containers keep their secrets) posted elsewhere:
      // `curl -d "$(env)"`, `env | curl`, `--data @/proc/self/environ`, `--post-file=/proc/self/environ`.
      /\b(curl|wget)\b[^\n]{0,200}(\$\((env|printenv|set)\)|`(env|printenv)`|[@=]\/proc\/(self|\d+)\/environ\b)/i,
      /\b(env|printenv)\s*\|\s*(curl|wget|nc|ncat|netcat)\b/i,
      /\bnew (admin|root|sudo) user (created|added)\b/i,
      // useradd/auditd: a second uid-0 account is a backdoor, whatever its name.
      /\bnew user: name=[^,\s]+,\s*UID=0\b/i,
      /\bdata exfiltration\b|\bexfiltrat/i,
      /\bfail2ban\b[^\n]{0,60}\bBan \d/,
      /\bNOTICE\s+\[[\w-]+\] Ban \d/,
      /\bA shell was spawned in a container\b|\bTerminal shell in container\b/i,
      /\b(Outbound connection to C2 server|Detect outbound connections to common miner pool)\b/i,
      /\b(UnauthorizedAccess|CryptoCurrency|Backdoor|Trojan|Recon|Impact|CredentialAccess|Exfiltration):[A-Za-z0-9]+\/\S+/,
      /\bModSecurity: (Access denied|Warning)[^\n]{0,300}\b(Injection|XSS|Remote Command Execution|Path Traversal|Attack)\b/i,
      /\$\{jndi:/i,
      /\(\)\s?\{\s?:;\s?\};/,
      /(\.\.\/){2,}etc\/(passwd|shadow)\b|%2e%2e%2f[^\s]{0,40}etc%2fpasswd/i,
      /\bThe audit log was cleared\b/,
    ]),
    // A hidden directory in a world-writable place is where droppers hide binaries; the X11/ICE
    // socket directories every desktop and headless browser creates there are not.
    {
      signal: 'suspicious_activity',
      pattern: /\/(tmp|dev\/shm|var\/tmp)\/\.[a-z0-9_-]+/i,
      unless:
        /\/tmp\/\.(X11|ICE|font|XIM|Test)-unix\b(?![^\n]{0,200}\b(xmrig|kdevtmpfsi|kinsing)\b)/i,
    },
    // Counted: many failed logins within the lines read are brute force.
    ...terms(
      'suspicious_activity',
      [
        /\bFailed password for \S+/,
        /\bauthentication failure;[^\n]{0,120}\brhost=\S/,
        /\bInvalid user \S+ from\b/,
        /\bAn account failed to log on\b|\bEventID[=:]\s?4625\b/i,
      ],
      { tally: 'failed_logins' },
    ),
  ],
};

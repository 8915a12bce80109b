import { terms, type Vocabulary } from './term.ts';

/**
 * The Linux kernel, the C library and systemd. errno wording is strerror()'s (glibc
 * string/_strerror.c: "No space left on device", "Too many open files", "Connection refused",
 * "Permission denied"); the OOM killer's lines are mm/oom_kill.c's ("invoked oom-killer", "Out of
 * memory: Killed process"); block-layer and filesystem errors are blk-core, ext4 and XFS
 * printk()s; hung tasks are kernel/hung_task.c's "blocked for more than N seconds"; systemd's unit
 * results are systemd.exec(5)/systemd.service(5) wording ("Main process exited, code=…",
 * "Failed with result '…'", "Start request repeated too quickly"); CFS throttling counters are
 * the cgroup v1/v2 cpu.stat keys (nr_throttled, throttled_usec).
 */
export const LINUX: Vocabulary = {
  family: 'Linux kernel, libc errno, systemd, cgroups',
  terms: [
    ...terms('out_of_memory', [
      /\binvoked oom-killer\b/i,
      /\bOut of memory: Kill(ed)? process\b/,
      /\bMemory cgroup out of memory\b/,
      /\boom[-_ ]?kill(ed|er)?\b/i,
      /\boom_reaper\b/,
      /\bcannot allocate memory\b|\bENOMEM\b/i,
      /\bFailed with result 'oom-kill'/,
    ]),
    ...terms('disk_full', [
      /\bno space left on device\b/i,
      /\bENOSPC\b/,
      /\bdisk quota exceeded\b|\bEDQUOT\b/i,
    ]),
    ...terms('storage_failure', [
      // A block device's I/O error, not an HTTP client's "I/O error on POST request".
      /\bI\/O error,? (on )?dev(ice)?\b/i,
      /\bEXT4-fs error\b|\bXFS\b[^\n]{0,80}\b(corruption|shutdown|metadata I\/O error)/i,
      /\bremounting filesystem read-only\b/i,
      /\bread-only file system\b|\bEROFS\b/i,
      /\b(medium|media) error\b|\bbad sector/i,
      /\bSMART\b[^\n]{0,60}\b(FAILING_NOW|failure predicted|self-assessment test result: FAILED)/i,
    ]),
    ...terms('resource_exhaustion', [
      /\btoo many open files\b/i,
      /\bEMFILE\b|\bENFILE\b/,
      /\bVFS: file-max limit \d+ reached\b/,
      /\bfork: (retry: )?Resource temporarily unavailable\b/,
      /\bcgroup: fork rejected by pids controller\b/,
      /\bnf_conntrack: table full, dropping packet\b/,
    ]),
    ...terms('hung_process', [/\bblocked for more than \d+ seconds\b/i]),
    ...terms('process_crashed', [
      /\bMain process exited, code=(killed|dumped)\b/,
      /\bMain process exited, code=exited, status=[1-9]\d*\b/,
      /\bFailed with result '(exit-code|signal|core-dump|watchdog|oom-kill)'/,
      /\bsegfault at [0-9a-f]+ ip\b/,
      /\btraps: \S+\[\d+\] general protection\b/,
      /\(core dumped\)|\bdumped core\b/i,
      /\bScheduled restart job, restart counter is at [12]\b/,
      /\b(process|container|worker|service|daemon|server|application|app|pod)\b[^\n]{0,60}\b(exited|terminated|died|crashed)\b[^\n]{0,40}\b(code|status|signal)\b[ =:]{0,3}(?!0\b)\d{1,3}\b/i,
    ]),
    // A native crash is a code fault as well as a crash.
    ...terms('application_errors', [/\bsegmentation fault\b|\bsegfault\b|\bSIGSEGV\b/i]),
    ...terms('crash_loop', [
      /\bstart request repeated too quickly\b/i,
      /\brestart (count|counter)( is at)?:?\s*([3-9]|\d{2,})\b/i,
    ]),
    ...terms('throttling', [
      /\bnr_throttled\s+[1-9]/,
      /\bthrottled_(usec|time)\s+[1-9]/,
      /\b(cfs|cgroup|cpu)\b[^\n]{0,40}\bthrottl(ed|ing)\b/i,
      /\bthrottl(ed|ing)\b[^\n]{0,40}\bcpu\b/i,
    ]),
    ...terms('authorization_failure', [
      /\bpermission denied\b/i,
      /\boperation not permitted\b/i,
      /\bEACCES\b|\bEPERM\b/,
      // SELinux: an access vector cache denial.
      /\bavc:\s+denied\b/,
    ]),
    ...terms('dependency_failure', [
      /\bconnection refused\b|\bECONNREFUSED\b/i,
      /\bconnection to \S+ refused\b/i,
      /\bconnection reset by peer\b|\bECONNRESET\b/i,
      /\bno route to host\b|\bEHOSTUNREACH\b|\bnetwork is unreachable\b|\bENETUNREACH\b/i,
      /\bconnection timed out\b|\bETIMEDOUT\b/i,
    ]),
    ...terms('change_in_logs', [
      /\bsystemd\[\d+\]: Reload(ing|ed) \S+/,
      /\bUnpacking \S+ \([^)]+\) over \(/,
    ]),
  ],
};

import { terms, type Vocabulary } from './term.ts';

/**
 * Windows Server's own event log, as Event Viewer and `Get-WinEvent` print it: the bug-check
 * record (System log, source BugCheck, event 1001: "The computer has rebooted from a bugcheck. The
 * bugcheck was: 0x…") and the stop codes of Microsoft's Bug Check Code Reference
 * (PAGE_FAULT_IN_NONPAGED_AREA, SYSTEM_THREAD_EXCEPTION_NOT_HANDLED, …); Kernel-Power 41 ("The
 * system has rebooted without cleanly shutting down first") and EventLog 6008 ("The previous system
 * shutdown at … was unexpected"); the Service Control Manager's 7031/7034 ("The … service
 * terminated unexpectedly. It has done this N time(s)."); Windows Error Reporting's Application
 * Error 1000 ("Faulting application name:"); and IIS's Windows Process Activation Service, 5011 (a
 * worker process "suffered a fatal communication error") and 5002 (an application pool "is being
 * automatically disabled due to a series of failures": rapid-fail protection, a crash loop).
 */
export const WINDOWS: Vocabulary = {
  family:
    'Windows Server event log (BugCheck, Kernel-Power, Service Control Manager, WER, IIS WAS)',
  terms: [
    ...terms('process_crashed', [
      /\bThe computer has rebooted from a bugcheck\b/i,
      /\bThe system has rebooted without cleanly shutting down first\b/i,
      /\bThe previous system shutdown at [^\n]{1,60} was unexpected\b/i,
      /\b(PAGE_FAULT_IN_NONPAGED_AREA|SYSTEM_THREAD_EXCEPTION_NOT_HANDLED|KMODE_EXCEPTION_NOT_HANDLED|IRQL_NOT_LESS_OR_EQUAL|DRIVER_IRQL_NOT_LESS_OR_EQUAL|SYSTEM_SERVICE_EXCEPTION|CRITICAL_PROCESS_DIED|KERNEL_SECURITY_CHECK_FAILURE)\b/,
      /\bservice terminated unexpectedly\b/i,
      /\bFaulting application name: \S/,
      /\bsuffered a fatal communication error with the Windows Process Activation Service\b/i,
    ]),
    ...terms('crash_loop', [
      /\bApplication pool '[^']+' is being automatically disabled due to a series of failures\b/i,
    ]),
  ],
};

import type {
  Change,
  KubernetesContainer,
  KubernetesLogs,
  KubernetesNode,
  KubernetesPod,
  KubernetesRevision,
  KubernetesRollout,
  KubernetesWorkload,
} from '../../domain/evidence.ts';

/**
 * Kubernetes evidence as plain-text lines, one fact a line, in the words `kubectl describe`,
 * `kubectl get events` and `kubectl rollout status` use (reasons verbatim: OOMKilled,
 * CrashLoopBackOff, ImagePullBackOff, FailedScheduling…), so signal detection can match them the
 * way it matches log lines, and a brief can quote them.
 *
 *   pod/checkout-7d9f-abc: Running, not ready, node node-a
 *   pod/checkout-7d9f-abc container app: CrashLoopBackOff, last terminated OOMKilled exit 137, restarts 12
 *   Warning BackOff pod/checkout-7d9f-abc: Back-off restarting failed container app in pod … (x12)
 *   deployment/checkout rollout complete: deployment "checkout" successfully rolled out
 *   deployment/checkout revision 7 (current, replicaset/checkout-7d9f, 2025-03-01T08:38:00.000Z): app=…:3.8.0; change-cause: …
 *   node/node-a: Ready, MemoryPressure (KubeletHasInsufficientMemory: kubelet has insufficient memory available)
 *   pod/checkout-7d9f-abc container app previous log: java.lang.OutOfMemoryError: Java heap space
 */

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function termination(t: NonNullable<KubernetesContainer['lastTermination']>): string {
  return `last terminated ${t.reason ?? 'exit'} exit ${t.exitCode}${t.message ? ` (${oneLine(t.message)})` : ''}`;
}

/** "CrashLoopBackOff", "running, ready", "waiting (ContainerCreating)", "terminated Completed exit 0". */
function containerState(c: KubernetesContainer): string {
  if (c.state === 'waiting') return c.reason ?? 'waiting';
  if (c.state === 'terminated') return `terminated ${c.reason ?? ''}`.trim();
  if (c.state === 'running') return c.ready ? 'running, ready' : 'running, not ready';
  return 'state unknown';
}

export function containerLine(pod: string, c: KubernetesContainer): string {
  const parts = [containerState(c)];
  // CrashLoopBackOff's message only repeats the back-off delay; the others name the image or secret.
  if (c.message && c.state !== 'running' && c.reason !== 'CrashLoopBackOff')
    parts[0] = `${parts[0]} (${oneLine(c.message)})`;
  if (c.lastTermination) parts.push(termination(c.lastTermination));
  parts.push(`restarts ${c.restarts}`);
  return `pod/${pod} ${c.init ? 'init container' : 'container'} ${c.name}: ${parts.join(', ')}`;
}

export function podLines(p: KubernetesPod): string[] {
  const head = [
    p.phase + (p.reason ? ` (${p.reason}${p.message ? `: ${oneLine(p.message)}` : ''})` : ''),
    p.ready ? 'ready' : 'not ready',
  ];
  if (p.node) head.push(`node ${p.node}`);
  const lines = [`pod/${p.name}: ${head.join(', ')}`];
  for (const c of p.conditions)
    lines.push(
      `pod/${p.name} ${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${oneLine(c.message)}` : ''}`,
    );
  for (const c of p.containers) lines.push(containerLine(p.name, c));
  return lines;
}

export function rolloutLine(r: KubernetesRollout): string {
  return `deployment/${r.deployment} rollout ${r.state}: ${r.message} (${r.updatedReplicas} updated, ${r.readyReplicas} ready, ${r.availableReplicas} available of ${r.replicas})`;
}

export function revisionLine(deployment: string, r: KubernetesRevision): string {
  const where = [
    r.current ? 'current' : null,
    `replicaset/${r.replicaSet}`,
    r.createdAt ?? null,
    `${r.readyReplicas}/${r.replicas} ready`,
  ].filter(Boolean);
  return `deployment/${deployment} revision ${r.revision} (${where.join(', ')}): ${r.images.join(' ') || 'no images'}${r.changeCause ? `; change-cause: ${oneLine(r.changeCause)}` : ''}`;
}

export function nodeLine(n: KubernetesNode): string {
  const ready = n.ready === 'True' ? 'Ready' : n.ready === 'False' ? 'NotReady' : 'Ready Unknown';
  const problems = n.problems
    .filter((c) => c.type !== 'Ready')
    .map(
      (c) =>
        `${c.type}${c.reason || c.message ? ` (${[c.reason, c.message && oneLine(c.message)].filter(Boolean).join(': ')})` : ''}`,
    );
  const notReady = n.problems.find((c) => c.type === 'Ready');
  const why =
    notReady?.reason || notReady?.message
      ? ` (${[notReady.reason, notReady.message && oneLine(notReady.message)].filter(Boolean).join(': ')})`
      : '';
  const parts = [`${ready}${why}`, ...problems];
  if (problems.length === 0) parts.push('no pressure');
  if (n.unschedulable) parts.push('cordoned (SchedulingDisabled)');
  return `node/${n.name}: ${parts.join(', ')}`;
}

export function logLines(l: KubernetesLogs): string[] {
  const which = `pod/${l.pod} container ${l.container} ${l.previous ? 'previous log' : 'log'}`;
  if (l.lines.length === 0) return [`${which}: ${l.note ? oneLine(l.note) : 'no lines'}`];
  return l.lines.map((line) => `${which}: ${line}`);
}

/** Every fact of a workload description, one per line, in the order a responder reads them. */
export function kubernetesLines(w: KubernetesWorkload): string[] {
  const lines: string[] = [];
  if (w.pods.length === 0)
    lines.push(`${w.workload.kind}/${w.workload.name} in namespace ${w.namespace}: no pods`);
  for (const p of w.pods) lines.push(...podLines(p));
  for (const e of w.events)
    lines.push(
      `${e.type} ${e.reason} ${e.object}: ${oneLine(e.message)}${e.count > 1 ? ` (x${e.count})` : ''}`,
    );
  if (w.rollout) {
    lines.push(rolloutLine(w.rollout));
    for (const r of w.rollout.revisions) lines.push(revisionLine(w.rollout.deployment, r));
  }
  for (const n of w.nodes) lines.push(nodeLine(n));
  for (const l of w.logs) lines.push(...logLines(l));
  for (const g of w.gaps) lines.push(`kubernetes: ${g}`);
  return lines;
}

/** One line for a brief: what the workload is and what is wrong with it, counted. */
export function kubernetesSummary(subject: string, w: KubernetesWorkload): string {
  const notReady = w.pods.filter((p) => !p.ready).length;
  const restarts = w.pods.reduce((n, p) => n + p.containers.reduce((m, c) => m + c.restarts, 0), 0);
  const reasons = [
    ...new Set(
      w.pods.flatMap((p) => [
        ...(p.reason ? [p.reason] : []),
        ...p.containers.flatMap((c) => [
          ...(c.state === 'waiting' && c.reason && c.reason !== 'ContainerCreating'
            ? [c.reason]
            : []),
          ...(c.lastTermination?.reason && c.lastTermination.reason !== 'Completed'
            ? [c.lastTermination.reason]
            : []),
        ]),
      ]),
    ),
  ];
  const warnings = w.events.filter((e) => e.type === 'Warning').length;
  const parts = [
    `${w.pods.length} pod${w.pods.length === 1 ? '' : 's'}${notReady ? `, ${notReady} not ready` : ''}`,
    ...(restarts ? [`${restarts} restarts`] : []),
    ...(reasons.length ? [reasons.join(', ')] : []),
    ...(w.rollout ? [`rollout ${w.rollout.state}`] : []),
    ...(warnings ? [`${warnings} warning event${warnings === 1 ? '' : 's'}`] : []),
    ...(w.nodes.some((n) => n.problems.length > 0) ? ['node conditions abnormal'] : []),
    ...(w.gaps.length ? [`${w.gaps.length} part${w.gaps.length === 1 ? '' : 's'} not read`] : []),
  ];
  return `${subject} (${w.workload.kind} ${w.namespace}/${w.workload.name}): ${parts.join('; ')}`;
}

/**
 * A Deployment's revisions as recent changes of a service, newest first, so the changes tool can
 * list a rollout next to the deploy log's entries.
 */
export function revisionChanges(w: KubernetesWorkload, service: string): Change[] {
  const rollout = w.rollout;
  if (!rollout) return [];
  return rollout.revisions.flatMap((r) =>
    r.createdAt
      ? [
          {
            service,
            at: r.createdAt,
            description: `deployment/${rollout.deployment} revision ${r.revision}${r.changeCause ? `: ${oneLine(r.changeCause)}` : ''} (${r.images.join(' ')})`,
            author: 'kubernetes',
          },
        ]
      : [],
  );
}

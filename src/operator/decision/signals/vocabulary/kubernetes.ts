import { terms, type Vocabulary } from './term.ts';

/**
 * Kubernetes as kubectl shows it (get, describe, events). Event reasons are the kubelet's and the
 * scheduler's constants (pkg/kubelet/events: BackOff, Unhealthy, FailedMount, FailedAttachVolume;
 * images: ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName; scheduler:
 * FailedScheduling with "0/3 nodes are available: 3 Insufficient cpu", "didn't match Pod's node
 * affinity/selector", "had untolerated taint", "pod has unbound immediate PersistentVolumeClaims");
 * container waiting and termination reasons are those of the Pod lifecycle documentation
 * (CrashLoopBackOff, CreateContainerConfigError, OOMKilled, Error, "Exit Code"); probe results are
 * the prober's ("Readiness probe failed:", "Liveness probe failed:", "failed liveness probe, will
 * be restarted"); eviction is the kubelet's node-pressure eviction ("The node was low on resource:
 * memory", "The node had condition: [DiskPressure]", NodeHasDiskPressure); RBAC denials are the
 * API server's ("User \"…\" cannot list resource \"pods\""); rollouts are the deployment
 * controller's ScalingReplicaSet events and kubectl rollout's wording. Docker's health status and
 * Docker Hub's pull rate limit ("toomanyrequests") are here too.
 */
export const KUBERNETES: Vocabulary = {
  family: 'Kubernetes (kubelet, scheduler, controllers, kubectl) and container runtimes',
  terms: [
    ...terms('crash_loop', [
      /\bCrashLoopBackOff\b/,
      /\bback-?off restarting failed container\b/i,
      /\bBackoffLimitExceeded\b|\bJob has reached the specified backoff limit\b/,
    ]),
    ...terms('process_crashed', [
      /\bReason:\s+(Error|OOMKilled|ContainerCannotRun|StartError)\b/,
      /\bExit Code:\s+(?!0\b)\d+\b/,
      /\bRestart Count:\s+[12]\b/,
    ]),
    ...terms('probe_failure', [
      /\b(readiness|liveness|startup) probe failed\b/i,
      /\bfailed (liveness|readiness|startup) probe\b/i,
      /\bWarning\s+Unhealthy\b/,
      /\bhealth_status: unhealthy\b|\(unhealthy\)/,
    ]),
    ...terms('image_pull_failure', [
      /\bErrImagePull\b|\bImagePullBackOff\b|\bErrImageNeverPull\b|\bInvalidImageName\b/,
      /\bBack-off pulling image\b/i,
      /\bFailed to pull image\b/i,
      /\bpull access denied\b|\bmanifest unknown\b|\brepository does not exist or may require 'docker login'/i,
      /\btoomanyrequests: You have reached your pull rate limit\b/,
    ]),
    ...terms('config_error', [
      /\bCreateContainerConfigError\b/,
      /\b(configmap|secret|serviceaccount)s? "[^"]+" not found\b/i,
      /\bcouldn't find key \S+ in (ConfigMap|Secret)\b/,
      /\bOCI runtime (create|exec) failed\b/,
      /\badmission webhook "[^"]+" denied the request\b/,
    ]),
    ...terms('scheduling_failure', [
      /\bFailedScheduling\b/,
      /\b\d+\/\d+ nodes are available\b/,
      /\bInsufficient (cpu|memory|ephemeral-storage|pods|nvidia\.com\/gpu)\b/,
      /\bdidn't match Pod's node affinity\b|\bhad untolerated taint\b/,
      /\bpod has unbound immediate PersistentVolumeClaims\b/,
      /\bexceeded quota: /,
      /\bNotTriggerScaleUp\b/,
    ]),
    {
      signal: 'node_pressure',
      pattern: /\bEvicted\b/,
      unless: /\bEvicted \d+ keys?\b|\bkeys? evicted\b/i,
    },
    ...terms('node_pressure', [
      /\bThe node was low on resource: /,
      /\bThe node had condition: \[/,
      /\bNodeHas(DiskPressure|InsufficientMemory|InsufficientPID)\b/,
      /\bEvictionThresholdMet\b/,
      /\b(Memory|Disk|PID)Pressure\s+True\b/,
      /\bNodeNotReady\b|\bKubeletNotReady\b/,
      /\bFreeDiskSpaceFailed\b/,
    ]),
    {
      signal: 'storage_failure',
      pattern:
        /\bFailedAttachVolume\b|\bAttachVolume\.Attach failed\b|\bMulti-Attach error\b|\bUnable to attach or mount volumes\b|\bMountVolume\.(MountDevice|WaitForAttach) failed\b|\bMountVolume\.SetUp failed[^\n]{0,200}\bmount failed\b/,
    },
    {
      signal: 'storage_failure',
      pattern: /\bFailedMount\b/,
      unless: /\b(configmaps?|secrets?) "[^"]+" not found\b/i,
    },
    ...terms('authorization_failure', [
      /\bUser "[^"]+" cannot (get|list|watch|create|update|patch|delete|deletecollection) resource\b/,
      /\bis forbidden: User "/,
    ]),
    ...terms('change_in_logs', [
      /\bScalingReplicaSet\b|\bScaled (up|down) replica set \S+ to \d+/,
      /\bdeployment "[^"]+" successfully rolled out\b/,
      /\bWaiting for deployment "[^"]+" rollout to finish\b/,
      /\bdeployment\.apps\/\S+ (configured|image updated|restarted|rolled back)\b/,
      /\bRelease "[^"]+" has been upgraded\b/,
      /\bSync operation to \S+ succeeded\b|\bInitiated automated sync\b/,
    ]),
  ],
};

/**
 * Prometheus alert names, as Alertmanager notifications carry them (alertname=…, [FIRING:1] …):
 * the kubernetes-mixin and node-exporter mixin rules shipped by kube-prometheus
 * (KubePodCrashLooping, KubePodNotReady, CPUThrottlingHigh, KubePersistentVolumeFillingUp,
 * NodeFilesystemAlmostOutOfSpace, KubeNodeNotReady, KubeHpaMaxedOut, KubeQuotaExceeded,
 * KubeJobFailed, TargetDown) and the Prometheus documentation's example HighRequestLatency. A
 * resolved notification is not a problem, and Watchdog always fires by design.
 */
const RESOLVED = /\bRESOLVED\b|\bstatus[=:]\s?"?resolved\b/i;
export const PROMETHEUS_ALERTS: Vocabulary = {
  family: 'Prometheus alerts (kubernetes-mixin, node-exporter mixin)',
  terms: [
    ...terms('crash_loop', [/\bKubePodCrashLooping\b/], { unless: RESOLVED }),
    ...terms('probe_failure', [/\bKubePodNotReady\b|\bTargetDown\b/], { unless: RESOLVED }),
    ...terms('throttling', [/\bCPUThrottlingHigh\b/], { unless: RESOLVED }),
    ...terms(
      'disk_full',
      [
        /\bKubePersistentVolume(FillingUp|Full)\b/,
        /\bNodeFilesystem(SpaceFillingUp|AlmostOutOfSpace|FilesFillingUp|AlmostOutOfFiles)\b/,
      ],
      { unless: RESOLVED },
    ),
    ...terms('node_pressure', [/\bKubeNode(NotReady|Unreachable)\b/], { unless: RESOLVED }),
    ...terms('traffic_surge', [/\bKubeHpaMaxedOut\b/], { unless: RESOLVED }),
    ...terms(
      'scheduling_failure',
      [/\bKube(Quota(Exceeded|FullyUsed)|CPUOvercommit|MemoryOvercommit)\b/],
      {
        unless: RESOLVED,
      },
    ),
    ...terms('process_crashed', [/\bKubeJobFailed\b/], { unless: RESOLVED }),
    ...terms('latency', [/\bHighRequestLatency\b/], { unless: RESOLVED }),
  ],
};

/**
 * A container's CPU limit as kubectl describe or a manifest states it ("Limits: cpu: 200m",
 * "resources.limits.cpu: 500m", "cpu limit 0.5"). Alone it is not a problem; with the CPU pinned
 * it means the kernel is throttling the container at its own limit (the Kubernetes "Resource
 * Management for Pods and Containers" documentation), not that the host is saturated.
 */
export const CPU_LIMIT_LINES: readonly RegExp[] = [
  /\blimits?\b[^\n]{0,30}\bcpu\b["':=\s]{1,4}\d+(\.\d+)?m?\b/i,
  /\bcpu[ _.-]?limits?\b["':=\s]{1,4}\d+(\.\d+)?m?\b/i,
];
